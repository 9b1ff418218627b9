//! Simple ruled tables with a bold header row.
//!
//! Cells word-wrap within their column. When a row does not fit on the
//! current page, the table continues on a new page and the header row is
//! repeated there, so every printed page can be read on its own. A row too
//! tall for an entire page is split between lines rather than dropped.

use super::canvas::TextStyle;
use super::error::PdfError;
use super::layout::DocumentBuilder;
use super::style::{
    CELL_PADDING, CONTENT_WIDTH, HEADER_FILL_GREY, MARGIN, PARAGRAPH_GAP, RULE_GREY,
    RULE_THICKNESS, TABLE_SIZE,
};

/// A table column: header text and relative width.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Text of the header cell.
    pub header: String,
    /// Relative width. Widths are scaled to fill the space between the
    /// margins, so `[3.0, 1.0]` gives 75 % and 25 %.
    pub width: f32,
}

impl Column {
    /// A column with the given header and relative width.
    pub fn new(header: impl Into<String>, width: f32) -> Self {
        Self {
            header: header.into(),
            width,
        }
    }
}

/// Table contents: columns plus rows of cell text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with the given columns.
    pub fn new(columns: Vec<Column>) -> Self {
        Self {
            columns,
            rows: Vec::new(),
        }
    }

    /// Appends a row. The number of cells is checked when the table is
    /// drawn with [`DocumentBuilder::table`].
    pub fn add_row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    fn validate(&self) -> Result<(), PdfError> {
        if self.columns.is_empty() {
            return Err(PdfError::InvalidColumns(
                "a table needs at least one column",
            ));
        }
        if self
            .columns
            .iter()
            .any(|c| !c.width.is_finite() || c.width <= 0.0)
        {
            return Err(PdfError::InvalidColumns(
                "column widths must be positive numbers",
            ));
        }
        for (row, cells) in self.rows.iter().enumerate() {
            if cells.len() != self.columns.len() {
                return Err(PdfError::TableShape {
                    row,
                    expected: self.columns.len(),
                    found: cells.len(),
                });
            }
        }
        Ok(())
    }
}

/// A row after wrapping: lines per cell.
struct WrappedRow {
    cells: Vec<Vec<String>>,
    bold: bool,
}

impl WrappedRow {
    fn line_count(&self) -> usize {
        self.cells.iter().map(Vec::len).max().unwrap_or(1).max(1)
    }
}

/// Column geometry: left x and width of each column.
struct Geometry {
    xs: Vec<f32>,
    widths: Vec<f32>,
}

impl DocumentBuilder {
    /// Draws `table`. Fails if a row's cell count does not match the columns
    /// or a column width is not positive; nothing is drawn in that case.
    pub fn table(&mut self, table: &Table) -> Result<&mut Self, PdfError> {
        table.validate()?;
        let style = TextStyle::regular(TABLE_SIZE);
        let bold = TextStyle::bold(TABLE_SIZE);
        let line_height = style.line_height();

        let total: f32 = table.columns.iter().map(|c| c.width).sum();
        let widths: Vec<f32> = table
            .columns
            .iter()
            .map(|c| CONTENT_WIDTH * c.width / total)
            .collect();
        let xs = widths
            .iter()
            .scan(MARGIN, |x, w| {
                let left = *x;
                *x += w;
                Some(left)
            })
            .collect();
        let geometry = Geometry { xs, widths };

        let wrap_row = |cells: &[String], is_header: bool| WrappedRow {
            cells: cells
                .iter()
                .zip(&geometry.widths)
                .map(|(text, w)| {
                    let s = if is_header { bold } else { style };
                    self.wrap(text, s, w - 2.0 * CELL_PADDING)
                })
                .collect(),
            bold: is_header,
        };
        let headers: Vec<String> = table.columns.iter().map(|c| c.header.clone()).collect();
        let header = wrap_row(&headers, true);
        let rows: Vec<WrappedRow> = table.rows.iter().map(|r| wrap_row(r, false)).collect();

        let row_height = |lines: usize| lines as f32 * line_height + 2.0 * CELL_PADDING;
        let header_height = row_height(header.line_count());

        // Keep the header with at least the first row (or a few lines of it).
        self.gap(PARAGRAPH_GAP / 2.0);
        let first = rows.first().map_or(0, |r| r.line_count().min(3));
        self.ensure_space(header_height + row_height(first));
        self.draw_row(&geometry, &header, 0, header.line_count());

        for row in &rows {
            let lines = row.line_count();
            let mut start = 0;
            while start < lines {
                let remaining = lines - start;
                if row_height(remaining) <= self.remaining() {
                    self.draw_row(&geometry, row, start, lines);
                    break;
                }
                let fits_on_fresh_page =
                    row_height(remaining) <= self.fresh_page_space() - header_height;
                let available =
                    ((self.remaining() - 2.0 * CELL_PADDING) / line_height).floor() as isize;
                if (start == 0 && fits_on_fresh_page) || available < 1 {
                    self.new_page();
                    self.draw_row(&geometry, &header, 0, header.line_count());
                    continue;
                }
                // Too tall for any page: split it here.
                let end = start + (available as usize).min(remaining);
                self.draw_row(&geometry, row, start, end);
                start = end;
                if start < lines {
                    self.new_page();
                    self.draw_row(&geometry, &header, 0, header.line_count());
                }
            }
        }
        self.y += PARAGRAPH_GAP;
        Ok(self)
    }

    /// Space for content on an empty page.
    fn fresh_page_space(&self) -> f32 {
        super::style::CONTENT_BOTTOM - MARGIN
    }

    /// Draws lines `start..end` of every cell in `row` as one ruled row.
    fn draw_row(&mut self, geometry: &Geometry, row: &WrappedRow, start: usize, end: usize) {
        let style = if row.bold {
            TextStyle::bold(TABLE_SIZE)
        } else {
            TextStyle::regular(TABLE_SIZE)
        };
        let line_height = style.line_height();
        let height = (end - start) as f32 * line_height + 2.0 * CELL_PADDING;
        let top = self.y;
        let fonts = &self.fonts;
        let Some(page) = self.pages.last_mut() else {
            return;
        };
        for ((x, width), lines) in geometry.xs.iter().zip(&geometry.widths).zip(&row.cells) {
            if row.bold {
                page.fill_rect(*x, top, *width, height, HEADER_FILL_GREY);
            }
            page.stroke_rect(*x, top, *width, height, RULE_THICKNESS, RULE_GREY);
            let shown = lines.iter().skip(start).take(end - start);
            for (i, line) in shown.enumerate() {
                let baseline =
                    top + CELL_PADDING + i as f32 * line_height + style.baseline_offset();
                page.text(fonts, style, x + CELL_PADDING, baseline, line);
            }
        }
        self.y += height;
    }
}
