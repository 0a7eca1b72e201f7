//! Drawing the Export screen: templates, options and the export's state on
//! the left, the page-1 preview on the right (left out when the terminal
//! is too narrow for both to be readable).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;
use vitae_common::export::{ExportFormat, ExportProgress, ExportStage, Options, Paper};

use super::{saved_line, Editing, ExportState, Run, ACCENTS};
use crate::app::theme::Theme;
use crate::graphics;
use crate::screens::widgets::wrap::str_width;
use crate::screens::widgets::{confirm_popup, truncate};
use crate::stream::Link;

/// Below this width the preview is left out: the options need ~50 columns
/// and a page preview narrower than ~30 shows nothing legible.
const MIN_WIDTH_WITH_PREVIEW: u16 = 84;

/// Templates shown without scrolling.
const MAX_TEMPLATE_ROWS: u16 = 8;

pub(super) fn render(state: &mut ExportState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let (left, preview) = if area.width >= MIN_WIDTH_WITH_PREVIEW {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
        (left, Some(right))
    } else {
        (area, None)
    };
    let rows = match state.templates() {
        [] => 2,
        list => (list.len() as u16).min(MAX_TEMPLATE_ROWS),
    };
    let [list_area, options_area, status_area] = Layout::vertical([
        Constraint::Length(rows + 2),
        Constraint::Length(8),
        Constraint::Min(4),
    ])
    .areas(left);
    render_templates(state, frame, list_area, theme);
    render_options(state, frame, options_area, theme);
    render_status(state, frame, status_area, theme);
    match preview {
        Some(area) => render_preview(state, frame, area, theme),
        None => state.preview_cells = None,
    }
    if let Run::Replace { path } = &state.run {
        confirm_popup(
            frame,
            area,
            theme,
            "Replace?",
            format!("{} already exists. Replace it?", path.display()),
            "replace it",
        );
    }
}

fn block<'a>(title: String, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border())
        .title(Span::styled(title, theme.title()))
}

fn render_templates(state: &ExportState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let block = block(format!(" Templates ({}) ", state.templates().len()), theme);
    if state.templates().is_empty() {
        let text = match (&state.load_error, &state.templates) {
            (Some(e), _) => vec![
                Line::styled(format!("Cannot load the templates: {e}"), theme.error()),
                Line::from(vec![
                    Span::styled("R", theme.key()),
                    Span::raw(": try again"),
                ]),
            ],
            (None, None) => vec![Line::styled("Loading…", theme.dim())],
            (None, Some(_)) => vec![Line::raw("The server offers no templates.")],
        };
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: false }).block(block),
            area,
        );
        return;
    }
    let name_width = state
        .templates()
        .iter()
        .map(|t| str_width(&t.name))
        .max()
        .unwrap_or(0)
        .min(16);
    let description_width = (area.width as usize).saturating_sub(name_width + 7);
    let items: Vec<ListItem> = state
        .templates()
        .iter()
        .map(|t| {
            let name = truncate(&t.name, name_width);
            ListItem::new(Line::from(vec![
                Span::raw(format!("{name:<name_width$}  ")),
                Span::styled(truncate(&t.description, description_width), theme.dim()),
            ]))
        })
        .collect();
    let list = List::new(items)
        .block(block)
        .highlight_symbol("▸ ")
        .highlight_style(theme.selected());
    let mut list_state = ListState::default().with_selected(Some(state.cursor.index));
    frame.render_stateful_widget(list, area, &mut list_state);
}

/// `[a]  b`: the chosen value in brackets (readable without colour).
fn choice<'a>(values: &[&'a str], chosen: usize, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        if i == chosen {
            spans.push(Span::styled(format!("[{value}]"), theme.key()));
        } else {
            spans.push(Span::styled(format!(" {value} "), theme.dim()));
        }
    }
    spans
}

/// One option row: label, value spans, and its keys at the right edge.
fn row<'a>(
    label: &'a str,
    mut value: Vec<Span<'a>>,
    keys: &'a str,
    width: u16,
    theme: &Theme,
) -> Line<'a> {
    let mut spans = vec![Span::styled(format!(" {label:<10} "), theme.dim())];
    spans.append(&mut value);
    let used: usize = spans.iter().map(|s| str_width(&s.content)).sum();
    let pad = (width as usize).saturating_sub(used + str_width(keys) + 1);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(keys, theme.key()));
    Line::from(spans)
}

fn hex(rgb: Option<[u8; 3]>) -> Option<String> {
    Options {
        accent: rgb,
        ..Options::default()
    }
    .accent_hex()
}

fn swatch(rgb: Option<[u8; 3]>, theme: &Theme) -> Span<'static> {
    match rgb {
        Some([r, g, b]) if theme.color => {
            Span::styled("■ ", Style::default().fg(Color::Rgb(r, g, b)))
        }
        _ => Span::raw(""),
    }
}

fn render_options(state: &ExportState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let width = area.width.saturating_sub(2);
    let template = state.selected();
    let choices = &state.choices;
    let format = choice(
        &["pdf", "docx"],
        usize::from(choices.format == ExportFormat::Docx),
        theme,
    );
    let paper = choice(
        &["A4", "Letter"],
        usize::from(choices.paper == Paper::Letter),
        theme,
    );
    let always = template.is_some_and(|t| t.options.one_page);
    let fit = if always {
        vec![Span::raw("always (this template)")]
    } else {
        choice(&["off", "on"], usize::from(choices.fit_one_page), theme)
    };
    let size = match (choices.font_size, template) {
        (Some(size), _) => vec![Span::raw(format!("{size} pt"))],
        (None, Some(t)) => vec![
            Span::raw(format!("{} pt", t.options.font_size)),
            Span::styled(" (the template's)", theme.dim()),
        ],
        (None, None) => vec![Span::styled("the template's", theme.dim())],
    };
    let accent = match &state.editing {
        Some(Editing::Accent { input, error }) => {
            let mut spans = vec![Span::styled(format!("[{}]", input.display()), theme.key())];
            if let Some(e) = error {
                spans.push(Span::styled(format!(" ✕ {e}"), theme.error()));
            }
            spans
        }
        _ => match choices.accent {
            Some(rgb) => {
                let name = ACCENTS
                    .iter()
                    .find(|(_, c)| *c == rgb)
                    .map(|(name, _)| format!(" ({name})"))
                    .unwrap_or_default();
                vec![
                    swatch(Some(rgb), theme),
                    Span::raw(hex(Some(rgb)).unwrap_or_default()),
                    Span::styled(name, theme.dim()),
                ]
            }
            None => {
                let own = template
                    .and_then(|t| vitae_common::export::parse_accent(&t.options.accent).ok());
                match hex(own) {
                    Some(hex) => vec![
                        swatch(own, theme),
                        Span::raw(hex),
                        Span::styled(" (the template's)", theme.dim()),
                    ],
                    None => vec![Span::styled("the template's", theme.dim())],
                }
            }
        },
    };
    let path_width = (width as usize).saturating_sub(17);
    let path = match &state.editing {
        Some(Editing::Path { .. }) => vec![Span::styled(
            format!("[{}]", truncate_left(&state.path.display(), path_width)),
            theme.key(),
        )],
        _ => vec![Span::raw(truncate_left(&state.path.text, path_width))],
    };
    let lines = vec![
        row("format", format, "f", width, theme),
        row("paper", paper, "p", width, theme),
        row("one page", fit, "o", width, theme),
        row("font size", size, "- + 0", width, theme),
        row("accent", accent, "a A", width, theme),
        row("save to", path, "e", width, theme),
    ];
    frame.render_widget(
        Paragraph::new(lines).block(block(" Options ".into(), theme)),
        area,
    );
}

/// Keep the end of a long path (its file name), cutting at the front.
fn truncate_left(text: &str, width: usize) -> String {
    crate::screens::widgets::wrap::cut_left_to_width(text, width)
}

/// Share of the work done at `progress`: the render stage moves with its
/// pages.
fn done_ratio(progress: Option<&ExportProgress>) -> f64 {
    let Some(p) = progress else {
        return 0.0;
    };
    let pages = if p.pages > 0 {
        f64::from(p.page.min(p.pages)) / f64::from(p.pages)
    } else {
        0.0
    };
    match p.stage {
        ExportStage::Queued => 0.05,
        ExportStage::Layout => 0.25,
        ExportStage::Render => 0.5 + 0.4 * pages,
        ExportStage::Stored => 0.95,
    }
}

fn stage_text(progress: Option<&ExportProgress>) -> String {
    let Some(p) = progress else {
        return "waiting for the server".into();
    };
    let stage = match p.stage {
        ExportStage::Queued => "queued",
        ExportStage::Layout => "laying out the pages",
        ExportStage::Render => "writing the file",
        ExportStage::Stored => "stored",
    };
    match (p.stage, p.pages) {
        (ExportStage::Render, n) if n > 0 => format!("{stage} · page {} of {n}", p.page.min(n)),
        (_, 0) => stage.to_string(),
        (_, 1) => format!("{stage} · 1 page"),
        (_, n) => format!("{stage} · {n} pages"),
    }
}

fn link_text(link: &Link) -> String {
    match link {
        Link::Connecting => "connecting".into(),
        Link::Live => "live".into(),
        Link::Retrying { attempt, delay, .. } => format!(
            "reconnect {attempt}/{} in {:.1}s",
            crate::stream::MAX_ATTEMPTS,
            delay.as_secs_f64()
        ),
        Link::Closed { cause } => cause.clone(),
    }
}

fn render_status(state: &ExportState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let block = block(" Export ".into(), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let hint = Line::from(vec![
        Span::styled("Enter", theme.key()),
        Span::raw(" export   "),
        Span::styled("e", theme.key()),
        Span::raw(" path   "),
        Span::styled("?", theme.key()),
        Span::raw(" all keys"),
    ]);
    let mut lines = Vec::new();
    match &state.run {
        Run::Running { progress, link, .. } => {
            let [gauge_area, text_area] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
            let ratio = done_ratio(progress.as_ref());
            frame.render_widget(
                Gauge::default()
                    .ratio(ratio)
                    .label(format!("{:.0}%", ratio * 100.0))
                    .gauge_style(theme.ok()),
                gauge_area,
            );
            let text = vec![
                Line::raw(stage_text(progress.as_ref())),
                Line::styled(format!("stream: {}", link_text(link)), theme.dim()),
            ];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), text_area);
            return;
        }
        Run::Starting => lines.push(Line::styled("Starting the export…", theme.dim())),
        Run::Saved(saved) => {
            lines.push(Line::styled(format!("✓ {}", saved_line(saved)), theme.ok()));
            for warning in &saved.warnings {
                lines.push(Line::styled(format!("⚠ {warning}"), theme.warn()));
            }
        }
        Run::Failed(reason) => {
            lines.push(Line::styled(
                format!("✕ Export failed: {reason}"),
                theme.error(),
            ));
            lines.push(Line::raw(""));
            lines.push(hint);
        }
        Run::Idle | Run::Replace { .. } => {
            if let Some(why) = &state.not_ready {
                lines.push(Line::styled(why.clone(), theme.error()));
            } else {
                lines.push(Line::raw(format!(
                    "Saves a {} to {}",
                    match state.choices.format {
                        ExportFormat::Docx => "Word file",
                        _ => "PDF",
                    },
                    state.path.text
                )));
                lines.push(Line::raw(""));
                lines.push(hint);
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn render_preview(state: &mut ExportState, frame: &mut Frame, area: Rect, theme: &Theme) {
    let mut title = String::from(" Preview · page 1");
    if state.choices.format == ExportFormat::Docx {
        title.push_str(" of the PDF layout");
    }
    if state.preview.loading && state.preview.picture.is_some() {
        title.push_str(" · updating…");
    }
    title.push(' ');
    let block = block(title, theme).title_bottom(Line::styled(
        format!(" {} ", graphics::protocol_name()),
        theme.dim(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    state.preview_cells = Some((inner.width, inner.height));
    let message = match (
        &state.not_ready,
        &state.preview.error,
        &state.preview.picture,
    ) {
        (Some(_), _, _) => Some(Line::styled(
            "No preview: the resume is not ready",
            theme.dim(),
        )),
        (None, Some(e), _) => Some(Line::styled(format!("No preview: {e}"), theme.error())),
        (None, None, Some(picture)) => {
            picture.render(frame, inner);
            None
        }
        (None, None, None) if state.templates().is_empty() => None,
        (None, None, None) => Some(Line::styled("Rendering the preview…", theme.dim())),
    };
    if let Some(line) = message {
        frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), inner);
    }
}
