//! Skills sections, read line by line (not segmented): "Label: a, b, c"
//! lines, label columns beside keywords, group names over keyword lines,
//! levels, and tag clouds drawn without separators. [`fill`](super::fill)
//! moves a group that is really the spoken languages to `languages`.

use vitae_common::resume::Skill;

use crate::ir::{Line, CELL};
use crate::lang;
use crate::sections::Section;

use super::{is_sentence, split_label, split_list};

fn has_sep_text(t: &str) -> bool {
    t.contains(['·', ',', '•', '|', ';'])
}

pub(super) fn is_level(s: &str) -> bool {
    let l = s.trim().to_lowercase();
    lang::is_level_word(&l)
        || l.split_whitespace()
            .all(|w| lang::is_level_word(w) || w == "proficiency")
        || (l.len() <= 5 && l.ends_with("/5"))
}

pub(super) fn skills(section: &Section) -> Vec<Skill> {
    let mut out: Vec<Skill> = Vec::new();
    let lines = &section.lines;
    let body_x = lines.iter().map(|l| l.x).fold(f32::MAX, f32::min);
    // The x of the last "Label ⇥ keywords" row, while its label may go on.
    let mut label_row: Option<f32> = None;
    for (i, line) in lines.iter().enumerate() {
        let text = line.text.trim();
        if text.is_empty() {
            continue;
        }
        let (label, rest) = split_label(&line.flat());
        if let (Some(label), Some(rest)) = (label.clone(), rest) {
            out.push(Skill {
                name: Some(label),
                keywords: split_list(&rest)
                    .into_iter()
                    .filter(|k| !is_level(k))
                    .collect(),
                ..Skill::default()
            });
            continue;
        }
        if let (Some(label), None) = (label, split_label(&line.flat()).1) {
            out.push(Skill {
                name: Some(label),
                ..Skill::default()
            });
            continue;
        }
        if let Some(skill) = label_column(line) {
            out.push(skill);
            label_row = Some(line.x);
            continue;
        }
        // "Libraries &" / "Frameworks": a label wrapped inside its column.
        if let (Some(label_x), Some(last)) = (label_row.take(), out.last_mut()) {
            if !text.contains(CELL)
                && !has_sep_text(text)
                && text.split_whitespace().count() <= 3
                && line.x > 0.0
                && line.x < label_x + 40.0
            {
                if let Some(name) = last.name.as_mut() {
                    name.push(' ');
                    name.push_str(text);
                }
                continue;
            }
        }
        // "Master" alone under a group name: that group's level.
        if is_level(text) {
            if let Some(last) = out.last_mut() {
                if last.keywords.is_empty() && last.level.is_none() {
                    last.level = Some(text.to_string());
                }
            }
            continue;
        }
        // "Web Development ⇥ Master": a group with its level.
        {
            let cells: Vec<&str> = line.cells().collect();
            if cells.len() == 2
                && is_level(cells[1])
                && !is_level(cells[0])
                && !has_sep_text(cells[0])
            {
                out.push(Skill {
                    name: Some(cells[0].to_string()),
                    level: Some(cells[1].to_string()),
                    ..Skill::default()
                });
                continue;
            }
        }
        let next = lines.get(i + 1);
        if let Some(names) = group_name_row(line, next) {
            out.extend(names.into_iter().map(|name| Skill {
                name: Some(name.to_string()),
                ..Skill::default()
            }));
            continue;
        }
        if is_group_name(line, next, body_x) {
            out.push(Skill {
                name: Some(text.to_string()),
                ..Skill::default()
            });
            continue;
        }
        // Boxed tags drawn apart without separators: the medium gaps split them.
        let listed = if !line.chunks.is_empty() && !has_sep_text(text) && !is_sentence(text) {
            line.chunks.clone()
        } else {
            split_list(text)
        };
        let kws: Vec<String> = listed.into_iter().filter(|k| !is_level(k)).collect();
        if kws.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(s) => s.keywords.extend(kws),
            None => out.push(Skill {
                keywords: kws,
                ..Skill::default()
            }),
        }
    }
    out.retain(|s| !s.keywords.is_empty() || s.name.is_some());
    out
}

/// "Databases ⇥ MySQL, Redis": a label column beside the keywords.
fn label_column(line: &Line) -> Option<Skill> {
    let cells: Vec<&str> = line.cells().collect();
    let is_label_column = cells.len() == 2
        && !has_sep_text(cells[0])
        && cells[0].split_whitespace().count() <= 4
        && !cells[0].chars().any(|c| c.is_ascii_digit())
        && has_sep_text(cells[1]);
    is_label_column.then(|| Skill {
        name: Some(cells[0].to_string()),
        keywords: split_list(cells[1])
            .into_iter()
            .filter(|k| !is_level(k))
            .collect(),
        ..Skill::default()
    })
}

/// A row of group names side by side ("Finance ⇥ Tools") over rows of
/// separated keywords: names, not keywords.
fn group_name_row<'l>(line: &'l Line, next: Option<&Line>) -> Option<Vec<&'l str>> {
    let cells: Vec<&str> = line.cells().collect();
    let is_row = cells.len() >= 2
        && !has_sep_text(line.text.trim())
        && cells.iter().all(|c| c.split_whitespace().count() <= 3)
        && next.is_some_and(|n| {
            let n_cells = n.cells().count();
            !n.text.contains(':')
                && (has_sep_text(&n.text)
                    || ((line.bold && !n.bold)
                        || (n.size > 0.0 && line.size > n.size + 0.4)
                        || n_cells >= cells.len() * 2)
                        && n_cells >= cells.len())
        });
    is_row.then_some(cells)
}

/// A group name: a bold/heading line, or a less indented line, followed by
/// more indented or non-bold keyword lines. A bold item over plain items is
/// a group name in a list too.
fn is_group_name(line: &Line, next: Option<&Line>, body_x: f32) -> bool {
    let text = line.text.trim();
    (!line.bullet || (line.bold && next.is_some_and(|n| n.bullet && !n.bold)))
        && !text.contains(CELL)
        && !text.contains(',')
        && next.is_some_and(|n| {
            (line.bold && !n.bold)
                || (line.heading > 0 && n.heading == 0)
                || (n.x > line.x + 4.0 && line.x <= body_x + 1.0)
                || (line.size > n.size + 0.4 && n.size > 0.0)
                || (n.bullet && !line.bullet)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entries::test_section as sec;
    use crate::ir::Line;
    use crate::sections::Kind;

    #[test]
    fn tag_clouds_and_levels() {
        let tags = Line {
            chunks: vec!["Excel".into(), "SQL".into(), "Looker Studio".into()],
            ..Line::new("Excel SQL Looker Studio")
        };
        let s = sec(
            Kind::Skills,
            vec![
                Line {
                    size: 10.5,
                    ..Line::new("Analytics")
                },
                Line {
                    size: 9.0,
                    ..Line::new("Master")
                },
                Line { size: 9.5, ..tags },
            ],
        );
        let groups = skills(&s);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].name.as_deref(), Some("Analytics"));
        assert_eq!(groups[0].level.as_deref(), Some("Master"));
        assert_eq!(groups[0].keywords, vec!["Excel", "SQL", "Looker Studio"]);
    }
}
