//! Work (and volunteer) entries: the head pieces scored as position,
//! company and location. [`fill`](super::fill) turns the result into a
//! `Volunteer` for volunteer sections.

use vitae_common::resume::Work;

use super::pieces::{company_score, looks_like_url, pieces, title_score};
use super::{dates_into, summary, Entry, Piece};

pub(super) fn work(e: &Entry, unread: &mut usize) -> Option<Work> {
    let pcs: Vec<Piece> = pieces(e)
        .into_iter()
        .filter(|p| !looks_like_url(&p.text))
        .collect();
    if pcs.is_empty() && e.items.is_empty() {
        return None;
    }
    let mut used = vec![false; pcs.len()];
    // Position: best title score.
    let pos_idx = pcs
        .iter()
        .enumerate()
        .map(|(i, p)| (i, title_score(&p.text)))
        .filter(|(_, s)| *s > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(i, _)| i);
    if let Some(i) = pos_idx {
        used[i] = true;
    }
    // Company: company-looking piece, else the first unused first-cell piece.
    let comp_idx = pcs
        .iter()
        .enumerate()
        .filter(|(i, p)| !used[*i] && company_score(&p.text) > 0.0)
        .map(|(i, _)| i)
        .next()
        .or_else(|| {
            pcs.iter()
                .enumerate()
                .filter(|(i, p)| !used[*i] && p.first_cell)
                .map(|(i, _)| i)
                .next()
        })
        .or_else(|| (0..pcs.len()).find(|i| !used[*i]));
    if let Some(i) = comp_idx {
        used[i] = true;
    }
    // Without a title word, the other first piece is the position.
    let pos_idx = pos_idx.or_else(|| {
        let i = pcs
            .iter()
            .enumerate()
            .filter(|(i, p)| !used[*i] && p.first_cell)
            .map(|(i, _)| i)
            .next()?;
        used[i] = true;
        Some(i)
    });
    let location = pcs
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            !used[*i] && p.text.split_whitespace().count() <= 4 && !p.text.ends_with('.')
        })
        .map(|(_, p)| p.text.clone())
        .next();
    let (start, end) = dates_into(e);
    if e.range.is_none()
        && e.head
            .iter()
            .any(|l| l.text.chars().filter(|c| c.is_ascii_digit()).count() >= 4)
    {
        *unread += 1;
    }
    Some(Work {
        name: comp_idx.map(|i| pcs[i].text.clone()),
        position: pos_idx.map(|i| pcs[i].text.clone()),
        location,
        start_date: start,
        end_date: end,
        summary: summary(e),
        highlights: e.items.clone(),
        ..Work::default()
    })
}
