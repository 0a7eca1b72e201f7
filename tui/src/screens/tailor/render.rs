//! Drawing the tailor screen: the job list, the add-a-job prompts, the
//! messages of the waiting and failed steps, and the preview (the job, the
//! match gauges, keywords, warnings, then the diff pane or the warnings and
//! drafts in full). Reads the screen's state; it only records the sizes it
//! drew at (list offset, notes height and scroll), which keys then use.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;
use vitae_common::TailorPreview;

use super::{clean_paste, score, Prompt, Step, TailorState};
use crate::app::theme::Theme;
use crate::screens::widgets::diff_pane::summary_spans;
use crate::screens::widgets::wrap::str_width;
use crate::screens::widgets::wrap::{clean, wrap};
use crate::screens::widgets::{centered, short_time, truncate};

impl TailorState {
    /// The step the screen is at, and the prompt on top if one is open.
    pub(super) fn draw(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        match &self.step {
            Step::Jobs => self.render_jobs(frame, area, theme),
            Step::Computing { job_id } => {
                let lines = vec![
                    Line::styled(
                        format!("Computing the preview for {}…", self.job_title(job_id)),
                        theme.warn(),
                    ),
                    Line::raw(""),
                    Line::styled(
                        "Nothing is saved until you confirm the preview.",
                        theme.dim(),
                    ),
                    Line::raw(""),
                    Self::keys_line(theme, &[("b", "jobs"), ("q", "leave")]),
                ];
                self.render_message(frame, area, theme, lines);
            }
            Step::Failed {
                job_id,
                status,
                message,
            } => {
                let mut lines = vec![
                    Line::styled(
                        format!("Cannot tailor to {}:", self.job_title(job_id)),
                        theme.error(),
                    ),
                    Line::raw(clean(message)),
                    Line::raw(""),
                ];
                if *status == Some(409) {
                    lines.push(Line::styled(
                        "Only a ready resume can be tailored: wait for its parse to finish (or fix a failed one), then press r.",
                        theme.dim(),
                    ));
                    lines.push(Line::raw(""));
                }
                lines.push(Self::keys_line(
                    theme,
                    &[("r", "try again"), ("b", "jobs"), ("q", "leave")],
                ));
                self.render_message(frame, area, theme, lines);
            }
            Step::Stale { job_id, message } => {
                let message = clean(message);
                let lines = vec![
                    Line::styled(
                        format!("This preview is stale: {}.", message.trim_end_matches('.')),
                        theme.error(),
                    ),
                    Line::raw(""),
                    Line::raw(format!(
                        "The resume or the job ({}) changed after the preview was computed, so nothing was saved.",
                        self.job_title(job_id)
                    )),
                    Line::raw(""),
                    Self::keys_line(theme, &[("r", "preview again"), ("b", "jobs"), ("q", "leave")]),
                ];
                self.render_message(frame, area, theme, lines);
            }
            Step::Preview(_) => self.render_preview(frame, area, theme),
        }
        self.render_prompt(frame, area, theme);
    }

    fn notes_lines(
        &self,
        preview: &TailorPreview,
        theme: &Theme,
        width: usize,
    ) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        let heading = |text: &str| Line::styled(text.to_string(), theme.title());
        lines.push(heading(&format!("Warnings ({})", preview.warnings.len())));
        if preview.warnings.is_empty() {
            lines.push(Line::styled("none", theme.dim()));
        }
        for warning in &preview.warnings {
            lines.extend(wrap(
                vec![Span::styled("⚠ ", theme.warn())],
                2,
                vec![Span::raw(clean(warning))],
                width,
            ));
        }
        if let Some(drafts) = &preview.drafts {
            for (title, text) in [
                ("Cover letter", &drafts.cover_letter),
                ("Outreach message", &drafts.outreach_message),
            ] {
                let Some(text) = text else { continue };
                lines.push(Line::raw(""));
                lines.push(heading(title));
                for paragraph in clean_paste(text).lines() {
                    lines.extend(wrap(
                        Vec::new(),
                        0,
                        vec![Span::raw(paragraph.to_string())],
                        width,
                    ));
                }
            }
            lines.push(Line::raw(""));
            lines.extend(wrap(
                Vec::new(),
                0,
                vec![Span::styled(
                    format!(
                        "Drafted by {}, and checked against the resume: anything naming an employer, date or skill it lacks was dropped.",
                        clean(&drafts.model)
                    ),
                    theme.dim(),
                )],
                width,
            ));
        }
        lines
    }

    fn render_jobs(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(
                    " Tailor {} to a job ({}) ",
                    clean(&self.filename),
                    self.jobs.len()
                ),
                theme.title(),
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [list_area, hint_area] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("Enter", theme.key()),
                Span::raw(": preview  "),
                Span::styled("a", theme.key()),
                Span::raw(": add from a file  "),
                Span::styled("p", theme.key()),
                Span::raw(": paste a description  "),
                Span::styled("q", theme.key()),
                Span::raw(": back"),
            ])),
            hint_area,
        );
        if self.jobs.is_empty() {
            let text = match (&self.jobs_error, self.jobs_loading) {
                (Some(e), _) => vec![Line::styled(
                    format!("Cannot load the jobs: {}", clean(e)),
                    theme.error(),
                )],
                (None, true) => vec![Line::styled("Loading jobs…", theme.dim())],
                (None, false) => vec![
                    Line::raw("No jobs stored yet."),
                    Line::raw(""),
                    Line::raw("Add the description of the job you want this resume tailored to:"),
                    Line::from(vec![
                        Span::styled("  a", theme.key()),
                        Span::raw("  from a file (text, Markdown or JSON)"),
                    ]),
                    Line::from(vec![
                        Span::styled("  p", theme.key()),
                        Span::raw("  paste it (or just paste it here)"),
                    ]),
                ],
            };
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), list_area);
            return;
        }
        // Widths are worked out here so that long names end in `…`
        // rather than being cut mid-word by the table.
        let avail = (list_area.width as usize).saturating_sub(2 + 3 + 16);
        let (title_w, company_w) = (avail * 35 / 100, avail * 20 / 100);
        let keywords_w = avail.saturating_sub(title_w + company_w);
        let rows: Vec<Row> = self
            .jobs
            .iter()
            .map(|job| {
                let skills = &job.keywords.skills;
                let mut top = skills
                    .iter()
                    .take(3)
                    .map(|s| clean(s))
                    .collect::<Vec<_>>()
                    .join(", ");
                if skills.len() > 3 {
                    top.push_str(&format!(" +{}", skills.len() - 3));
                }
                Row::new(vec![
                    Cell::from(truncate(&clean(&job.title), title_w)),
                    Cell::from(truncate(
                        &clean(job.company.as_deref().unwrap_or("—")),
                        company_w,
                    )),
                    Cell::from(Span::styled(truncate(&top, keywords_w), theme.dim())),
                    Cell::from(Span::styled(short_time(&job.created_at), theme.dim())),
                ])
            })
            .collect();
        let table = Table::new(
            rows,
            [
                Constraint::Length(title_w as u16),
                Constraint::Length(company_w as u16),
                Constraint::Length(keywords_w as u16),
                Constraint::Length(16),
            ],
        )
        .header(
            Row::new(vec!["title", "company", "top keywords", "created (UTC)"]).style(theme.dim()),
        )
        .row_highlight_style(theme.selected())
        .highlight_symbol("▶ ");
        let mut state = TableState::default()
            .with_selected(Some(self.cursor.index))
            .with_offset(self.offset);
        frame.render_stateful_widget(table, list_area, &mut state);
        self.offset = state.offset();
    }

    fn render_prompt(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let Some(prompt) = &self.prompt else { return };
        let status = if self.adding {
            Line::styled("adding the job…", theme.warn())
        } else if let Some(error) = &self.prompt_error {
            Line::styled(clean(error), theme.error())
        } else {
            Line::raw("")
        };
        match prompt {
            Prompt::File(input) => {
                let popup = centered(area, 76, 7);
                frame.render_widget(Clear, popup);
                let lines = vec![
                    Line::styled(
                        "The job description: a text, Markdown or JSON file.",
                        theme.dim(),
                    ),
                    Line::from(vec![
                        Span::styled("path: ", theme.dim()),
                        Span::raw(clean(&input.display())),
                    ]),
                    status,
                    Line::from(vec![
                        Span::styled("Enter", theme.key()),
                        Span::raw(": add   "),
                        Span::styled("Esc", theme.key()),
                        Span::raw(": cancel"),
                    ]),
                ];
                frame.render_widget(
                    Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                        Block::default()
                            .borders(Borders::ALL)
                            .border_style(theme.focused_border())
                            .title(Span::styled(" Add a job from a file ", theme.title())),
                    ),
                    popup,
                );
            }
            Prompt::Paste(text) => {
                let popup = centered(
                    area,
                    area.width.saturating_sub(8).max(40),
                    area.height.saturating_sub(2).max(8),
                );
                frame.render_widget(Clear, popup);
                let count = format!(
                    " {} lines, {} characters ",
                    text.lines().count() + usize::from(text.ends_with('\n')),
                    text.chars().count()
                );
                let block = Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.focused_border())
                    .title(Span::styled(" Paste the job description ", theme.title()))
                    .title_bottom(Line::styled(count, theme.dim()));
                let inner = block.inner(popup);
                frame.render_widget(block, popup);
                let [text_area, status_area, hint_area] = Layout::vertical([
                    Constraint::Min(1),
                    Constraint::Length(1),
                    Constraint::Length(1),
                ])
                .areas(inner);
                let width = text_area.width as usize;
                let mut lines: Vec<Line> = Vec::new();
                if text.is_empty() {
                    lines.push(Line::from(vec![
                        Span::raw("▏"),
                        Span::styled(
                            "Paste with your terminal (Ctrl-Shift-V, Cmd-V) or type. A description starting with # is read as Markdown.",
                            theme.dim(),
                        ),
                    ]));
                } else {
                    let all: Vec<&str> = text.split('\n').collect();
                    let last = all.len() - 1;
                    for (i, line) in all.iter().enumerate() {
                        let mut body = line.to_string();
                        if i == last {
                            body.push('▏');
                        }
                        lines.extend(wrap(Vec::new(), 0, vec![Span::raw(body)], width));
                    }
                }
                // The end is where the typing happens: keep it in view.
                let skip = lines.len().saturating_sub(text_area.height as usize);
                let shown: Vec<Line> = lines.into_iter().skip(skip).collect();
                frame.render_widget(Paragraph::new(shown), text_area);
                frame.render_widget(Paragraph::new(status), status_area);
                frame.render_widget(
                    Paragraph::new(Line::from(vec![
                        Span::styled("Ctrl-s", theme.key()),
                        Span::raw(": add the job   "),
                        Span::styled("Enter", theme.key()),
                        Span::raw(": new line   "),
                        Span::styled("Esc", theme.key()),
                        Span::raw(": cancel"),
                    ])),
                    hint_area,
                );
            }
        }
    }

    fn render_message(
        &self,
        frame: &mut Frame,
        area: Rect,
        theme: &Theme,
        lines: Vec<Line<'static>>,
    ) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" Tailor {} ", clean(&self.filename)),
                theme.title(),
            ));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block),
            area,
        );
    }

    fn keys_line(theme: &Theme, keys: &[(&str, &str)]) -> Line<'static> {
        let mut spans = Vec::new();
        for (key, what) in keys {
            spans.push(Span::styled(key.to_string(), theme.key()));
            spans.push(Span::raw(format!(": {what}   ")));
        }
        Line::from(spans)
    }

    /// The top of the preview: the job, the match gauges, matched and
    /// missing keywords, and as many warnings as leave the diff room.
    fn preview_info(
        &self,
        preview: &TailorPreview,
        theme: &Theme,
        inner: Rect,
    ) -> Vec<Line<'static>> {
        let title = self.job_title(&preview.job_id);
        let company = self.job(&preview.job_id).and_then(|j| j.company.clone());
        let width = inner.width as usize;
        let mut info: Vec<Line> = Vec::new();
        let mut job_line = vec![
            Span::styled("job      ", theme.dim()),
            Span::styled(title, theme.text().add_modifier(Modifier::BOLD)),
        ];
        if let Some(company) = company {
            job_line.push(Span::raw(format!(" · {}", clean(&company))));
        }
        job_line.push(Span::styled(
            format!(
                "   (resume revision {}, job revision {})",
                preview.source_revision, preview.job_revision
            ),
            theme.dim(),
        ));
        info.push(Line::from(job_line));
        info.push(gauges(preview, theme, width));
        let m = &preview.keyword_match;
        let keyword_line = |label: &str, words: &[String], mark: &str, style| {
            let mut body = Vec::new();
            if words.is_empty() {
                body.push(Span::styled("none", theme.dim()));
            }
            for word in words {
                body.push(Span::styled(format!("{mark} {}  ", clean(word)), style));
            }
            wrap(
                vec![Span::styled(format!("{label:<9}"), theme.dim())],
                9,
                body,
                width,
            )
        };
        info.extend(keyword_line("matched", &m.matched, "✓", theme.ok()));
        info.extend(keyword_line("missing", &m.missing, "✗", theme.error()));
        let mut warnings = Vec::new();
        for warning in &preview.warnings {
            warnings.extend(wrap(
                vec![Span::styled("⚠ ", theme.warn())],
                2,
                vec![Span::raw(clean(warning))],
                width,
            ));
        }
        if let Some(drafts) = &preview.drafts {
            let mut names = Vec::new();
            if drafts.cover_letter.is_some() {
                names.push("a cover letter");
            }
            if drafts.outreach_message.is_some() {
                names.push("an outreach message");
            }
            if !names.is_empty() {
                warnings.push(Line::from(vec![
                    Span::styled("drafts   ", theme.dim()),
                    Span::raw(format!("{} — ", names.join(" and "))),
                    Span::styled("d", theme.key()),
                    Span::raw(": read them"),
                ]));
            }
        }
        // The diff keeps at least this many rows; warnings that do not fit
        // above it are all in the `d` view.
        let room = (inner.height as usize).saturating_sub(info.len() + 10);
        if warnings.len() > room {
            let hidden = warnings.len() - room.saturating_sub(1);
            warnings.truncate(room.saturating_sub(1));
            warnings.push(Line::from(vec![
                Span::styled(
                    format!("… {hidden} more lines of warnings — "),
                    theme.warn(),
                ),
                Span::styled("d", theme.key()),
                Span::raw(": read them all"),
            ]));
        }
        info.extend(warnings);
        info
    }

    fn render_preview(&mut self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let Step::Preview(preview) = &self.step else {
            return;
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(Span::styled(
                format!(" Tailor {} ", clean(&self.filename)),
                theme.title(),
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let info = self.preview_info(preview, theme, inner);
        let confirm_hint = if self.confirming {
            Line::styled("saving the tailored resume…", theme.warn())
        } else {
            Self::keys_line(
                theme,
                &[
                    ("c", "confirm and save"),
                    ("r", "recompute"),
                    ("b", "jobs"),
                    (
                        "d",
                        if self.notes {
                            "diff"
                        } else {
                            "warnings & drafts"
                        },
                    ),
                    ("?", "help"),
                ],
            )
        };
        let [info_area, pane_area, hint_area] = Layout::vertical([
            Constraint::Length(info.len() as u16),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(info), info_area);
        frame.render_widget(Paragraph::new(confirm_hint), hint_area);

        let mut pane_block = Block::default()
            .borders(Borders::TOP | Borders::BOTTOM)
            .border_style(theme.border());
        let body = pane_block.inner(pane_area);
        if self.notes {
            let lines = self.notes_lines(preview, theme, body.width as usize);
            self.notes_height = body.height as usize;
            let max = lines.len().saturating_sub(self.notes_height);
            self.notes_scroll = self.notes_scroll.min(max);
            let shown: Vec<Line> = lines
                .into_iter()
                .skip(self.notes_scroll)
                .take(self.notes_height)
                .collect();
            frame.render_widget(Paragraph::new(shown), body);
            pane_block = pane_block.title(Span::styled(" Warnings and drafts ", theme.title()));
        } else {
            self.pane.render(frame, body, &preview.diff, theme);
            let mut title = vec![Span::styled(" Changes  ", theme.title())];
            title.extend(summary_spans(&preview.diff, theme));
            title.push(Span::raw(" "));
            pane_block = pane_block
                .title(Line::from(title))
                .title_bottom(Line::styled(
                    format!(" {} ", self.pane.position(&preview.diff)),
                    theme.dim(),
                ));
        }
        frame.render_widget(pane_block, pane_area);
    }
}

/// `match before ████░░░░ 42.5   match after ██████░░ 71.0 (+28.5)`. Drawn
/// with block characters rather than a coloured `Gauge`, so the level shows
/// without colour too.
fn gauges(preview: &TailorPreview, theme: &Theme, width: usize) -> Line<'static> {
    let (before, after) = (
        score(preview.keyword_match.score_before),
        score(preview.keyword_match.score_after),
    );
    let half = width / 2;
    let bar = |label: &str, value: f64, extra: String, style| {
        let text = format!(" {value:.1}{extra}");
        let room = half
            .saturating_sub(str_width(label) + str_width(&text) + 3)
            .max(4);
        let filled = ((value / 100.0) * room as f64).round() as usize;
        let filled = filled.min(room);
        vec![
            Span::styled(label.to_string(), theme.dim()),
            Span::styled("█".repeat(filled), style),
            Span::styled("░".repeat(room - filled), theme.dim()),
            Span::styled(text, theme.text().add_modifier(Modifier::BOLD)),
            Span::raw("   "),
        ]
    };
    let delta = after - before;
    let mut spans = bar("match before ", before, String::new(), theme.warn());
    spans.extend(bar(
        "match after ",
        after,
        if delta.abs() >= 0.05 {
            format!(" ({delta:+.1})")
        } else {
            String::new()
        },
        theme.ok(),
    ));
    Line::from(spans)
}
