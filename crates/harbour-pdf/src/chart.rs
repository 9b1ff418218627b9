//! Horizontal bar charts for quarterly reports.
//!
//! Drawn from filled rectangles rather than images so they stay sharp when
//! printed and add almost nothing to the file size. Bars are mid grey, which
//! reads clearly on black-and-white office printers. Each bar is followed by
//! its value label, so the chart is still exact when photocopied.

use super::canvas::TextStyle;
use super::layout::DocumentBuilder;
use super::style::{
    mm, BAR_FILL_GREY, BODY_SIZE, CONTENT_WIDTH, MARGIN, PARAGRAPH_GAP, RULE_GREY, RULE_THICKNESS,
    TABLE_SIZE,
};

/// One bar: category label, numeric value and the text shown beside the bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Category label shown to the left of the bar.
    pub label: String,
    /// Value that sets the bar's length. Negative or non-finite values draw
    /// an empty bar (the value label is still shown).
    pub value: f64,
    /// Text printed after the bar, e.g. `"12"` or `"£1,250"`.
    pub value_label: String,
}

/// A horizontal bar chart with an optional caption.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarChart {
    caption: Option<String>,
    bars: Vec<Bar>,
}

impl BarChart {
    /// An empty chart; `caption` is printed in bold above it.
    pub fn new(caption: Option<&str>) -> Self {
        Self {
            caption: caption.map(str::to_owned),
            bars: Vec::new(),
        }
    }

    /// Adds a bar whose value label is the value itself (whole numbers
    /// without decimals, otherwise one decimal place).
    pub fn bar(&mut self, label: impl Into<String>, value: f64) -> &mut Self {
        let value_label = format_value(value);
        self.bar_with_label(label, value, value_label)
    }

    /// Adds a bar with a custom value label (e.g. a currency amount).
    pub fn bar_with_label(
        &mut self,
        label: impl Into<String>,
        value: f64,
        value_label: impl Into<String>,
    ) -> &mut Self {
        self.bars.push(Bar {
            label: label.into(),
            value,
            value_label: value_label.into(),
        });
        self
    }

    /// The bars added so far.
    pub fn bars(&self) -> &[Bar] {
        &self.bars
    }
}

fn format_value(value: f64) -> String {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

fn bar_length_value(value: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value
    } else {
        0.0
    }
}

impl DocumentBuilder {
    /// Draws a horizontal bar chart. Kept on one page when it fits on one.
    pub fn bar_chart(&mut self, chart: &BarChart) -> &mut Self {
        let label_style = TextStyle::regular(TABLE_SIZE);
        let value_style = TextStyle::regular(TABLE_SIZE);
        let caption_style = TextStyle::bold(BODY_SIZE);
        let line_height = label_style.line_height();
        let row_padding = 4.0;

        let label_width = CONTENT_WIDTH * 0.35;
        let gutter = mm(3.0);
        let value_room = chart
            .bars
            .iter()
            .map(|b| self.text_width(&b.value_label, value_style))
            .fold(0.0_f32, f32::max)
            + gutter;
        let bar_left = MARGIN + label_width + gutter;
        let bar_room = (CONTENT_WIDTH - label_width - gutter - value_room).max(mm(10.0));

        let caption = chart
            .caption
            .as_deref()
            .map(|c| self.wrap(c, caption_style, CONTENT_WIDTH))
            .unwrap_or_default();
        let labels: Vec<Vec<String>> = chart
            .bars
            .iter()
            .map(|b| self.wrap(&b.label, label_style, label_width))
            .collect();
        let row_heights: Vec<f32> = labels
            .iter()
            .map(|l| l.len().max(1) as f32 * line_height + 2.0 * row_padding)
            .collect();
        let max = chart
            .bars
            .iter()
            .map(|b| bar_length_value(b.value))
            .fold(0.0_f64, f64::max);

        let caption_height = caption.len() as f32 * caption_style.line_height() + 4.0;
        let total: f32 = caption_height + row_heights.iter().sum::<f32>();
        self.gap(PARAGRAPH_GAP);
        self.ensure_space(total);
        if !caption.is_empty() {
            // Keep the caption with the first bar.
            self.ensure_space(caption_height + row_heights.first().copied().unwrap_or(0.0));
            self.flow_columns(&[(MARGIN, caption_style, caption)]);
            self.y += 4.0;
        }

        let mut axis_top = self.y;
        for ((bar, label), height) in chart.bars.iter().zip(&labels).zip(&row_heights) {
            if *height > self.remaining() && !self.at_page_top() {
                self.draw_axis(bar_left, axis_top);
                self.new_page();
                axis_top = self.y;
            }
            let top = self.y;
            let fraction = if max > 0.0 {
                (bar_length_value(bar.value) / max) as f32
            } else {
                0.0
            };
            let length = bar_room * fraction;
            let bar_height = line_height * 0.85;
            let bar_top = top + (height - bar_height) / 2.0;
            let fonts = &self.fonts;
            let Some(page) = self.pages.last_mut() else {
                break;
            };
            // Label lines, vertically centred on the bar.
            let label_top = top + (height - label.len() as f32 * line_height) / 2.0;
            for (i, line) in label.iter().enumerate() {
                let baseline = label_top + i as f32 * line_height + label_style.baseline_offset();
                page.text(fonts, label_style, MARGIN, baseline, line);
            }
            if length > 0.0 {
                page.fill_rect(bar_left, bar_top, length, bar_height, BAR_FILL_GREY);
            }
            let value_baseline = top + (height - line_height) / 2.0 + value_style.baseline_offset();
            page.text(
                fonts,
                value_style,
                bar_left + length + gutter,
                value_baseline,
                &bar.value_label,
            );
            self.y += height;
        }
        self.draw_axis(bar_left, axis_top);
        self.y += PARAGRAPH_GAP;
        self
    }

    /// Vertical baseline the bars grow from, spanning the rows on this page.
    fn draw_axis(&mut self, x: f32, top: f32) {
        let bottom = self.y;
        if bottom > top {
            self.page().vline(x, top, bottom, RULE_THICKNESS, RULE_GREY);
        }
    }
}
