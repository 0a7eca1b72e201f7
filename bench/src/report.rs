//! What a run says, in every form it is read in: tables on stdout;
//! `report.json`, one CSV per table and one SVG chart per benchmark in the
//! out dir; and `docs/benchmarks.md` (with `--docs`), which shows the latest
//! tables and charts and checks the performance targets against the figures.
//!
//! Each table is built once as a [`Table`] and rendered three ways, so the
//! console, the CSV files and the docs always agree.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use crate::abuse::AbuseRun;
use crate::export::ExportRun;
use crate::plot::{BarChart, LineChart, Series};
use crate::stats::Summary;
use crate::Report;

pub struct Table {
    /// File stem of its CSV (`reads` → `reads.csv`).
    pub name: &'static str,
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    /// Lines printed under the table.
    pub notes: Vec<String>,
}

impl Table {
    fn console(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let line = |cells: Vec<&str>| -> String {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    // Text columns (the first) left, figures right.
                    if i == 0 {
                        format!("{c:<w$}", w = widths[i])
                    } else {
                        format!("{c:>w$}", w = widths[i])
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        let mut out = format!("{}\n", self.title);
        out.push_str(&line(self.headers.clone()));
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row.iter().map(String::as_str).collect()));
            out.push('\n');
        }
        for note in &self.notes {
            let _ = writeln!(out, "{note}");
        }
        out
    }

    fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "| {} |", self.headers.join(" | "));
        let _ = writeln!(
            out,
            "|{}",
            self.headers
                .iter()
                .enumerate()
                .map(|(i, _)| if i == 0 { "---|" } else { "---:|" })
                .collect::<String>()
        );
        for row in &self.rows {
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        for note in &self.notes {
            let _ = writeln!(out, "\n{note}");
        }
        out
    }

    fn csv(&self) -> String {
        let quote = |cell: &str| {
            if cell.contains([',', '"', '\n']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell.to_string()
            }
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}",
            self.headers
                .iter()
                .map(|h| quote(h))
                .collect::<Vec<_>>()
                .join(",")
        );
        for row in &self.rows {
            let _ = writeln!(
                out,
                "{}",
                row.iter().map(|c| quote(c)).collect::<Vec<_>>().join(",")
            );
        }
        out
    }
}

fn f(value: f64, decimals: usize) -> String {
    if value.is_finite() {
        format!("{value:.decimals$}")
    } else {
        "-".into()
    }
}

fn ms_row(s: &Summary) -> [String; 4] {
    [
        f(s.p50_ms, 2),
        f(s.p90_ms, 2),
        f(s.p99_ms, 2),
        f(s.max_ms, 2),
    ]
}

pub fn tables(r: &Report) -> Vec<Table> {
    let mut tables = Vec::new();
    if !r.uploads.is_empty() {
        tables.push(Table {
            name: "uploads",
            title: format!(
                "Upload → `complete` ({} uploads per row)",
                r.settings.uploads
            ),
            headers: vec![
                "format",
                "concurrency",
                "ok",
                "failed",
                "uploads/s",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
            ],
            rows: r
                .uploads
                .iter()
                .map(|u| {
                    let s = &u.summary;
                    let mut row = vec![
                        u.format.to_string(),
                        u.concurrency.to_string(),
                        s.ok.to_string(),
                        (s.unexpected + s.errors).to_string(),
                        f(s.per_second, 1),
                    ];
                    row.extend(ms_row(s));
                    row
                })
                .collect(),
            notes: vec![format!(
                "files: {}",
                r.settings
                    .files
                    .iter()
                    .map(|(name, bytes)| format!("{name} ({bytes} B)"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
        });
    }
    if !r.reads.is_empty() {
        tables.push(Table {
            name: "reads",
            title: format!(
                "Reads by wrk ({:.0} s per row; `hello` is the bare hyper server, the machine's limit)",
                r.settings.duration_s
            ),
            headers: vec![
                "target", "connections", "requests", "req/s", "of limit", "p50 ms", "p90 ms",
                "p99 ms", "max ms", "non-2xx", "errors", "server µs/req",
            ],
            rows: r
                .reads
                .iter()
                .map(|x| {
                    vec![
                        x.label().to_string(),
                        x.connections.to_string(),
                        x.requests.to_string(),
                        f(x.requests_per_s, 0),
                        format!("{:.0} %", x.fraction_of_limit * 100.0),
                        f(x.p50_ms, 2),
                        f(x.p90_ms, 2),
                        f(x.p99_ms, 2),
                        f(x.max_ms, 2),
                        x.non_2xx.to_string(),
                        x.socket_errors.to_string(),
                        f(x.server_cpu_us_per_request, 1),
                    ]
                })
                .collect(),
            notes: vec![],
        });
    }
    if let Some(fanout) = &r.fanout {
        tables.push(Table {
            name: "fanout",
            title: format!(
                "SSE fan-out: `/v1/events` of one owner, {} changes {} ms apart",
                fanout.changes, fanout.gap_ms
            ),
            headers: vec![
                "subscribers",
                "subscribed",
                "received",
                "expected",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "bytes/subscriber",
                "resyncs",
                "errors",
                "load",
            ],
            rows: fanout
                .rows
                .iter()
                .map(|x| {
                    vec![
                        x.subscribers.to_string(),
                        x.subscribed.to_string(),
                        x.deliveries_received.to_string(),
                        x.deliveries_expected.to_string(),
                        f(x.p50_ms, 2),
                        f(x.p90_ms, 2),
                        f(x.p99_ms, 2),
                        f(x.max_ms, 2),
                        f(x.bytes_per_subscriber, 0),
                        x.resyncs.to_string(),
                        x.errors.to_string(),
                        x.load_average.clone(),
                    ]
                })
                .collect(),
            notes: vec![],
        });
    }
    if !r.writes.is_empty() {
        let mut notes = vec![format!(
            "acknowledged (201) shares: {}, listed by the server afterwards: {}{}",
            r.shares_acknowledged,
            r.shares_listed,
            if r.shares_acknowledged as usize == r.shares_listed {
                ""
            } else {
                "  <-- MISMATCH"
            }
        )];
        if let Some(listing) = &r.share_listing {
            notes.push(format!(
                "listing them: GET …/shares?limit=1000, every page, answered {} shares, {:.1} MB, in {:.0} ms",
                listing.shares,
                listing.bytes as f64 / 1e6,
                listing.ms
            ));
        }
        notes.push(format!(
            "disk floor: a 4 KiB overwrite + fdatasync in the data dir takes p50 {:.2} ms, p99 {:.2} ms",
            r.fsync_baseline.p50_ms, r.fsync_baseline.p99_ms
        ));
        tables.push(Table {
            name: "writes",
            title: format!(
                "Durable writes: POST /v1/resumes/{{id}}/shares ({:.0} s per row)",
                r.settings.duration_s
            ),
            headers: vec![
                "clients",
                "writes",
                "writes/s",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "max ms",
                "non-2xx",
                "errors",
                "server µs/write",
            ],
            rows: r
                .writes
                .iter()
                .map(|w| {
                    let s = &w.summary;
                    let mut row = vec![w.clients.to_string(), s.ok.to_string(), f(s.per_second, 0)];
                    row.extend(ms_row(s));
                    row.extend([
                        s.unexpected.to_string(),
                        s.errors.to_string(),
                        f(w.server_cpu_us_per_request, 0),
                    ]);
                    row
                })
                .collect(),
            notes,
        });
    }
    if let Some(v) = &r.versions {
        let row = |name: &str, s: &Summary| {
            vec![
                name.to_string(),
                s.ok.to_string(),
                f(s.p50_ms, 3),
                f(s.p99_ms, 3),
                f(s.max_ms, 3),
            ]
        };
        tables.push(Table {
            name: "versions",
            title: format!(
                "Diff and tailoring of a three-page resume ({} changes between the two)",
                v.changes
            ),
            headers: vec!["operation", "runs", "p50 ms", "p99 ms", "max ms"],
            rows: vec![
                row("diff engine, in-process", &v.engine_diff),
                row("tailor engine, in-process", &v.engine_tailor),
                row("GET …/diff over HTTP", &v.http_diff),
                row("POST …/tailor (preview) over HTTP", &v.http_tailor),
            ],
            notes: vec![],
        });
    }
    if !r.tui.is_empty() {
        tables.push(Table {
            name: "tui",
            title: "TUI frame render time (ratatui TestBackend)".into(),
            headers: vec!["scenario", "size", "frames", "p50 µs", "p99 µs", "max µs"],
            rows: r
                .tui
                .iter()
                .map(|t| {
                    vec![
                        t.scenario.clone(),
                        format!("{}×{}", t.width, t.height),
                        t.frames.to_string(),
                        f(t.p50_us, 0),
                        f(t.p99_us, 0),
                        f(t.max_us, 0),
                    ]
                })
                .collect(),
            notes: vec![],
        });
    }
    if let Some(export) = &r.export {
        tables.extend(export_tables(export));
    }
    if let Some(abuse) = &r.abuse {
        tables.extend(abuse_tables(abuse));
    }
    if let Some(lists) = &r.lists {
        tables.push(lists_table(lists));
    }
    if let Some(password) = &r.password {
        tables.push(password_table(password));
    }
    if let Some(backends) = &r.backends {
        tables.push(backends_table(backends));
    }
    tables.push(Table {
        name: "memory",
        title: "Server memory (/proc/PID/status; parse child processes not included)".into(),
        headers: vec!["point", "VmRSS MiB", "VmHWM MiB", "phase peak MiB"],
        rows: r
            .memory
            .iter()
            .map(|p| {
                vec![
                    p.point.clone(),
                    mib(p.vm_rss_kib),
                    mib(p.vm_hwm_kib),
                    p.peak_sampled_rss_kib.map_or_else(|| "-".into(), mib),
                ]
            })
            .collect(),
        notes: vec![format!(
            "server log: {} WARN, {} ERROR lines; shutdown: {}",
            r.server_log.warn_lines, r.server_log.error_lines, r.server_exit
        )],
    });
    tables
}

fn mib(kib: u64) -> String {
    f(kib as f64 / 1024.0, 1)
}

/// Chromium's median print time of the resume a row renders, over that
/// row's warm p50: how many times faster the engine is.
fn speed_up(export: &ExportRun, fixture: &str, p50_ms: f64) -> Option<f64> {
    export
        .chromium
        .iter()
        .find(|c| c.fixture == fixture)
        .map(|c| c.median_ms / p50_ms)
}

/// The export phase's tables: warm renders (in-process), cache hits over
/// HTTP, the Chromium reference, and the export server's memory.
fn export_tables(x: &ExportRun) -> Vec<Table> {
    let iters = x
        .warm
        .first()
        .map_or(0, |w| w.summary.ok + w.summary.unexpected);
    let mut warm_notes = vec![format!(
        "cold start, in-process: `Engine::new()` (fonts and templates) {:.1} ms, then the first \
         render ({}, one page) {:.1} ms; on a freshly started server (engine built at start), \
         the first export over HTTP {:.1} ms",
        x.cold.engine_ms, x.cold.template, x.cold.first_render_ms, x.cold.http_first_export_ms
    )];
    warm_notes.push(format!(
        "the engine's own memory (this process's VmRSS, no server or store): {} MiB before \
         `Engine::new()`, {} MiB after it, {} MiB after 1,000 renders, {} MiB after all {}",
        mib(x.cold.rss_before_kib),
        mib(x.cold.rss_engine_kib),
        x.cold.rss_1000_kib.map_or_else(|| "-".into(), mib),
        mib(x.cold.rss_after_kib),
        x.cold.renders
    ));
    if let Some(note) = &x.chromium_note {
        warm_notes.push(note.clone());
    }
    let failed: u64 = x
        .warm
        .iter()
        .map(|w| w.summary.unexpected + w.summary.errors)
        .sum();
    if failed > 0 {
        warm_notes.push(format!("{failed} renders failed (not timed)"));
    }
    let mut tables = vec![Table {
        name: "export",
        title: format!(
            "Export: warm render to PDF, in-process ({iters} renders per row, each with one field \
             changed since the last)"
        ),
        headers: vec![
            "template",
            "resume",
            "pages",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "× Chromium (p50)",
        ],
        rows: x
            .warm
            .iter()
            .map(|w| {
                vec![
                    w.template.clone(),
                    w.fixture.to_string(),
                    w.pages.to_string(),
                    f(w.summary.p50_ms, 2),
                    f(w.summary.p90_ms, 2),
                    f(w.summary.p99_ms, 2),
                    f(w.summary.max_ms, 2),
                    speed_up(x, w.fixture, w.summary.p50_ms)
                        .map_or_else(|| "-".into(), |s| format!("{s:.0}×")),
                ]
            })
            .collect(),
        notes: warm_notes,
    }];
    let hits = x
        .hits
        .first()
        .map_or(0, |h| h.hits.ok + h.hits.unexpected + h.hits.errors);
    tables.push(Table {
        name: "export_hits",
        title: format!(
            "Export over HTTP: cache hits (GET …/export?format=pdf&template=T, {hits} per row on one \
             keep-alive connection, after one miss)"
        ),
        headers: vec![
            "template", "resume", "miss ms", "re-renders", "hits", "p50 ms", "p90 ms", "p99 ms",
            "max ms", "not hits", "server µs/hit",
        ],
        rows: x
            .hits
            .iter()
            .map(|h| {
                let mut row = vec![
                    h.template.clone(),
                    h.fixture.to_string(),
                    f(h.miss_ms, 2),
                    h.misses_before_hit.to_string(),
                    h.hits.ok.to_string(),
                ];
                row.extend(ms_row(&h.hits));
                row.push((h.hits.unexpected + h.hits.errors).to_string());
                row.push(f(h.server_cpu_us, 0));
                row
            })
            .collect(),
        notes: vec![
            "re-renders: untimed GETs right after the miss that were misses too (the server \
             stores a rendered file in the background), before the timed hits"
                .into(),
        ],
    });
    if !x.chromium.is_empty() {
        tables.push(Table {
            name: "export_chromium",
            title: "Export reference: headless Chromium `--print-to-pdf` of the share page \
                    (a new browser process per run)"
                .into(),
            headers: vec!["resume", "runs", "median ms", "each run ms", "PDF bytes"],
            rows: x
                .chromium
                .iter()
                .map(|c| {
                    vec![
                        c.fixture.to_string(),
                        c.runs_ms.len().to_string(),
                        f(c.median_ms, 0),
                        c.runs_ms
                            .iter()
                            .map(|m| f(*m, 0))
                            .collect::<Vec<_>>()
                            .join(", "),
                        c.pdf_bytes.to_string(),
                    ]
                })
                .collect(),
            notes: vec![],
        });
    }
    let m = &x.memory;
    let s = &m.render_over_http;
    tables.push(Table {
        name: "export_memory",
        title: format!(
            "Export server memory (/proc/PID/status), {} renders of distinct content over HTTP",
            m.renders
        ),
        headers: vec!["point", "VmRSS MiB"],
        rows: vec![
            vec!["idle after start (engine built)".into(), mib(m.before_kib)],
            vec!["after the first export".into(), mib(m.fonts_loaded_kib)],
            vec![format!("after {} renders", m.renders), mib(m.after_kib)],
            vec![
                "highest sampled while rendering".into(),
                mib(m.peak_sampled_kib),
            ],
            vec!["VmHWM at the end".into(), mib(m.hwm_kib)],
        ],
        notes: vec![
            format!(
                "each render: PATCH of the summary, then GET …/export (templates and resumes in \
             turn); {} of {} answered X-Vitae-Cache: miss; GET latency p50 {} ms, p99 {} ms, \
             max {} ms; {} failed; {:.1} MiB of PDF answered (and cached in the store); data \
             dir {:.1} MiB at the end",
                m.misses,
                m.renders,
                f(s.p50_ms, 2),
                f(s.p99_ms, 2),
                f(s.max_ms, 2),
                s.unexpected + s.errors,
                m.bytes_rendered as f64 / 1048576.0,
                m.data_dir_bytes as f64 / 1048576.0
            ),
            format!(
                "export server log: {} WARN, {} ERROR lines{}; shutdown: {}",
                x.server_log.warn_lines,
                x.server_log.error_lines,
                if x.server_log.samples.is_empty() {
                    String::new()
                } else {
                    format!(" (first: {})", x.server_log.samples.join(" / "))
                },
                x.server_exit
            ),
        ],
    });
    tables
}

fn probe_row(condition: &str, what: &str, s: &Summary) -> Vec<String> {
    let mut row = vec![condition.to_string(), what.to_string()];
    row.extend(ms_row(s));
    row.push(f(s.per_second, 0));
    row.push((s.unexpected + s.errors).to_string());
    row
}

/// The lists phase: share-list pages on one resume with many links, per
/// server measured.
fn lists_table(x: &crate::lists::ListsRun) -> Table {
    let mut rows = Vec::new();
    let mut notes = vec![format!(
        "{} share links on one resume, created at {:.0}/s; requests one at a time",
        x.shares, x.creation_per_second
    )];
    for server in &x.servers {
        for row in &server.rows {
            let s = &row.summary;
            rows.push(vec![
                server.server.clone(),
                row.what.clone(),
                row.items.to_string(),
                format!("{:.1}", row.bytes as f64 / 1000.0),
                s.ok.to_string(),
                f(s.p50_ms, 2),
                f(s.p99_ms, 2),
                f(s.max_ms, 2),
            ]);
        }
        notes.push(format!(
            "{}: {}; server log {} WARN, {} ERROR lines; shutdown: {}",
            server.server,
            server.binary,
            server.server_log.warn_lines,
            server.server_log.error_lines,
            server.server_exit
        ));
    }
    Table {
        name: "lists",
        title: format!(
            "Paged lists: GET /v1/resumes/{{id}}/shares with {} links on the resume",
            x.shares
        ),
        headers: vec![
            "server", "request", "links", "KB", "requests", "p50 ms", "p99 ms", "max ms",
        ],
        rows,
        notes,
    }
}

/// The password phase: views of a protected link against an open one.
fn password_table(x: &crate::password::PasswordRun) -> Table {
    let rows = x
        .rows
        .iter()
        .map(|row| {
            let s = &row.summary;
            vec![
                row.what.clone(),
                row.status.to_string(),
                s.ok.to_string(),
                f(s.p50_ms, 2),
                f(s.p99_ms, 2),
                f(s.max_ms, 2),
            ]
        })
        .collect();
    let retry = x.retry_after_s.map_or("no Retry-After".to_string(), |s| {
        format!("Retry-After {s} s")
    });
    Table {
        name: "password",
        title: "Password links: GET /s/{token}?format=json, one request at a time".into(),
        headers: vec![
            "request", "status", "requests", "p50 ms", "p99 ms", "max ms",
        ],
        rows,
        notes: vec![
            format!(
                "wrong passwords hashed before the per-address limit answered 429: {} ({retry})",
                x.wrong_before_limit
            ),
            format!(
                "server log {} WARN, {} ERROR lines; shutdown: {}",
                x.server_log.warn_lines, x.server_log.error_lines, x.server_exit
            ),
        ],
    }
}

/// The backends phase: every measure of every setup, one row each.
fn backends_table(x: &crate::backends::BackendsRun) -> Table {
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for setup in &x.setups {
        let mut row = |measure: String, s: &Summary| {
            rows.push(vec![
                setup.name.clone(),
                measure,
                s.ok.to_string(),
                f(s.per_second, 0),
                f(s.p50_ms, 2),
                f(s.p99_ms, 2),
                f(s.max_ms, 2),
                (s.unexpected + s.errors).to_string(),
            ]);
        };
        row("GET /v1/resumes/{id}, 16 connections".into(), &setup.reads);
        for (clients, s) in &setup.writes {
            row(
                format!("durable write (new share link), {clients} clients"),
                s,
            );
        }
        row(
            "upload → complete (Markdown), 4 connections".into(),
            &setup.uploads,
        );
        let watcher = if setup.instances > 1 {
            "write on the first instance → event on the second"
        } else {
            "write → event on the same instance"
        };
        row(watcher.into(), &setup.events);
        let warn: usize = setup.server_logs.iter().map(|l| l.warn_lines).sum();
        let error: usize = setup.server_logs.iter().map(|l| l.error_lines).sum();
        notes.push(format!(
            "{}: server logs {warn} WARN, {error} ERROR lines; {} events lost; shutdown: {}",
            setup.name,
            setup.events_lost,
            setup.server_exits.join("; ")
        ));
    }
    notes.push(format!(
        "PostgreSQL {} on this machine's disk, fsync on; with two instances the load is spread \
         over both (connection i to instance i mod 2)",
        x.postgres
    ));
    Table {
        name: "backends",
        title: "redb and PostgreSQL, one and two instances".into(),
        headers: vec![
            "setup", "measure", "done", "per s", "p50 ms", "p99 ms", "max ms", "failed",
        ],
        rows,
        notes,
    }
}

/// The targets of the backends phase (issue 19).
fn backends_checks(r: &Report) -> Vec<Check> {
    let setups = r.backends.as_ref().map(|x| &x.setups);
    let find = |backend: &str, instances: usize| {
        setups.and_then(|s| {
            s.iter()
                .find(|x| x.backend == backend && x.instances == instances)
        })
    };
    let (redb, pg1, pg2) = (find("redb", 1), find("postgres", 1), find("postgres", 2));
    let reads = match (redb, pg1) {
        (Some(redb), Some(pg)) if redb.reads.per_second > 0.0 => {
            let share = pg.reads.per_second / redb.reads.per_second;
            Check {
                target: "PostgreSQL reads ≥ 50 % of redb's, one instance",
                measured: format!(
                    "{:.0} of {:.0} req/s ({:.0} %)",
                    pg.reads.per_second,
                    redb.reads.per_second,
                    share * 100.0
                ),
                met: Some(share >= 0.5 && pg.reads.unexpected + pg.reads.errors == 0),
            }
        }
        _ => Check {
            target: "PostgreSQL reads ≥ 50 % of redb's, one instance",
            measured: "not measured".into(),
            met: None,
        },
    };
    let events = Check {
        target: "cross-instance event p99 ≤ 50 ms",
        measured: pg2.map_or_else(
            || "not measured".into(),
            |pg| {
                format!(
                    "p99 {:.1} ms over {} events; {} lost",
                    pg.events.p99_ms, pg.events.ok, pg.events_lost
                )
            },
        ),
        met: pg2.map(|pg| pg.events.ok > 0 && pg.events_lost == 0 && pg.events.p99_ms <= 50.0),
    };
    vec![reads, events]
}

/// The abuse phase's tables: the probes under the floods, and the
/// amplifying uploads.
fn abuse_tables(x: &AbuseRun) -> Vec<Table> {
    let fl = &x.flood;
    let page = format!(
        "{} clients on GET /s/{{token}} (HTML, {:.1} MiB)",
        fl.clients,
        fl.page_bytes as f64 / 1048576.0
    );
    let read = format!(
        "{} clients on GET /v1/resumes/{{id}} ({:.1} MiB)",
        fl.clients,
        fl.get_bytes as f64 / 1048576.0
    );
    let mut notes = vec![format!(
        "the large resume: {:.1} MiB of JSON Resume; probes every 10 ms from a thread of their \
         own; the share's access_count after the flood: {} (every view came from one client \
         address); server CPU during the share flood {:.1} s, peak VmRSS {} MiB",
        fl.resume_bytes as f64 / 1048576.0,
        fl.views_counted,
        fl.share_server_cpu_s,
        mib(fl.peak_rss_kib)
    )];
    for s in [
        &fl.share_healthz,
        &fl.share_small_get,
        &fl.share_views,
        &fl.large_gets,
    ] {
        if let Some(problem) = s.first_problems.first() {
            notes.push(format!("first problem: {problem}"));
        }
    }
    let flood = Table {
        name: "abuse",
        title: "Abuse: /healthz and a small GET while a large resume's share page is flooded"
            .into(),
        headers: vec![
            "condition",
            "request",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "req/s",
            "failed",
        ],
        rows: vec![
            probe_row("quiet", "GET /healthz", &fl.quiet_healthz),
            probe_row("quiet", "GET /v1/resumes/{id} (small)", &fl.quiet_small_get),
            probe_row(&page, "GET /healthz", &fl.share_healthz),
            probe_row(&page, "GET /v1/resumes/{id} (small)", &fl.share_small_get),
            probe_row(&page, "the share views", &fl.share_views),
            probe_row(&read, "GET /healthz", &fl.get_healthz),
            probe_row(&read, "GET /v1/resumes/{id} (small)", &fl.get_small_get),
            probe_row(&read, "the large GETs", &fl.large_gets),
        ],
        notes,
    };
    let up = &x.uploads;
    let outcome = format!(
        "{} ready, {} failed or refused, {} transport errors{}",
        up.flood.ok,
        up.flood.unexpected,
        up.flood.errors,
        up.flood
            .first_problems
            .first()
            .map_or_else(String::new, |p| format!(" (first: {p})"))
    );
    let uploads = Table {
        name: "abuse_uploads",
        title: format!(
            "Abuse: another owner's Markdown parse while one owner uploads {} amplifying DOCX \
             files at once",
            up.files
        ),
        headers: vec!["figure", "value"],
        rows: vec![
            vec![
                "each DOCX: file size / word/document.xml".into(),
                format!(
                    "{} KB / {:.0} MiB",
                    up.docx_bytes / 1000,
                    up.document_xml_bytes as f64 / 1048576.0
                ),
            ],
            vec![
                "other owner's parse, quiet (upload → complete, p50 of 5)".into(),
                format!("{} ms", f(up.quiet_parse.p50_ms, 1)),
            ],
            vec![
                "other owner's parse during the uploads".into(),
                if up.parse_under_flood.ok > 0 {
                    format!("{} ms", f(up.parse_under_flood.max_ms, 1))
                } else {
                    format!("failed: {:?}", up.parse_under_flood.first_problems)
                },
            ],
            vec!["the amplifying uploads".into(), outcome],
            vec![
                "largest parsed document (GET answer)".into(),
                up.largest_answer_bytes
                    .map_or_else(|| "-".into(), |b| format!("{:.1} MB", b as f64 / 1e6)),
            ],
            vec![
                "server VmRSS: peak during / after".into(),
                format!("{} / {} MiB", mib(up.peak_rss_kib), mib(up.rss_after_kib)),
            ],
            vec![
                "data dir growth".into(),
                format!("{:.1} MiB", up.data_dir_growth_bytes as f64 / 1048576.0),
            ],
        ],
        notes: vec![format!(
            "abuse server log: {} WARN, {} ERROR lines; shutdown: {}",
            x.server_log.warn_lines, x.server_log.error_lines, x.server_exit
        )],
    };
    vec![flood, uploads]
}

/// The abuse phase's targets: small requests stay fast under the floods.
fn abuse_checks(r: &Report) -> Vec<Check> {
    let fl = r.abuse.as_ref().map(|x| &x.flood);
    let probe = |target: &'static str, pick: fn(&crate::abuse::Flood) -> &Summary| Check {
        target,
        measured: fl.map_or_else(
            || "not measured".into(),
            |fl| {
                let s = pick(fl);
                format!(
                    "p99 {:.1} ms, max {:.1} ms; {} failed",
                    s.p99_ms,
                    s.max_ms,
                    s.unexpected + s.errors
                )
            },
        ),
        met: fl.map(|fl| {
            let s = pick(fl);
            s.ok > 0 && s.unexpected + s.errors == 0 && s.p99_ms < 50.0
        }),
    };
    let up = r.abuse.as_ref().map(|x| &x.uploads);
    vec![
        probe(
            "GET /healthz while 30 clients flood a large resume's share page: p99 < 50 ms",
            |fl| &fl.share_healthz,
        ),
        probe(
            "small authenticated GET while 30 clients flood a large resume's share page: p99 < 50 ms",
            |fl| &fl.share_small_get,
        ),
        probe(
            "GET /healthz while 30 clients fetch a multi-MB resume: p99 < 50 ms",
            |fl| &fl.get_healthz,
        ),
        Check {
            target: "another owner's Markdown parse during six amplifying DOCX uploads (no fixed \
                     target: the fair queue and caps bound it)",
            measured: up.map_or_else(
                || "not measured".into(),
                |up| {
                    format!(
                        "{} ms (quiet: {} ms)",
                        f(up.parse_under_flood.max_ms, 0),
                        f(up.quiet_parse.p50_ms, 0)
                    )
                },
            ),
            met: None,
        },
    ]
}

/// The export phase's targets: warm renders, the speed-up over Chromium, cache
/// hits over HTTP and the server's memory.
fn export_checks(r: &Report) -> Vec<Check> {
    let x = r.export.as_ref();
    // The rows a target covers. A template that fits every resume to one
    // page (compact) lays a three-page resume out again and again, smaller
    // each time, and still ends with more than one page and a warning: it
    // is not made for one, so its three-page row is shown but not counted.
    let counted = |w: &&crate::export::WarmRow| -> bool {
        w.fixture == "one page"
            || !vitae_export::templates::find(&w.template).is_some_and(|t| t.one_page)
    };
    let left_out = |x: &ExportRun, what: &dyn Fn(&crate::export::WarmRow) -> String| -> String {
        let rows: Vec<String> = x
            .warm
            .iter()
            .filter(|w| !counted(w))
            .map(|w| {
                format!(
                    "{} {} {} (a one-page template)",
                    w.template,
                    w.fixture,
                    what(w)
                )
            })
            .collect();
        if rows.is_empty() {
            String::new()
        } else {
            format!("; not counted: {}", rows.join(", "))
        }
    };
    let warm_check = |fixture: &str, limit: f64, target: &'static str| {
        let rows: Vec<&crate::export::WarmRow> = x
            .map(|x| x.warm.iter().filter(|w| w.fixture == fixture).collect())
            .unwrap_or_default();
        let slowest = rows
            .iter()
            .copied()
            .filter(counted)
            .max_by(|a, b| a.summary.p50_ms.total_cmp(&b.summary.p50_ms));
        Check {
            target,
            measured: match (x, slowest) {
                (Some(x), Some(w)) => format!(
                    "slowest: {} p50 {:.2} ms; every template: {}{}",
                    w.template,
                    w.summary.p50_ms,
                    rows.iter()
                        .copied()
                        .filter(counted)
                        .map(|v| format!("{} {:.2}", v.template, v.summary.p50_ms))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if fixture == "one page" {
                        String::new()
                    } else {
                        left_out(x, &|w| format!("p50 {:.2} ms", w.summary.p50_ms))
                    }
                ),
                _ => "not measured".into(),
            },
            met: slowest.map(|w| {
                rows.iter()
                    .copied()
                    .filter(counted)
                    .all(|w| w.summary.ok > 0)
                    && w.summary.p50_ms <= limit
            }),
        }
    };
    let mut checks = vec![
        warm_check(
            "one page",
            5.0,
            "export, warm render of a one-page resume (one field changed): p50 ≤ 5 ms, every template",
        ),
        warm_check(
            "three pages",
            10.0,
            "export, warm render of a three-page resume (one field changed): p50 ≤ 10 ms, every template",
        ),
    ];
    let slowest_speed_up = x.and_then(|x| {
        x.warm
            .iter()
            .filter(counted)
            .filter_map(|w| speed_up(x, w.fixture, w.summary.p50_ms).map(|s| (s, w)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    });
    checks.push(Check {
        target: "export, warm render ≥ 100× faster than headless Chromium printing the same resume",
        measured: match (x, slowest_speed_up) {
            (None, _) => "not measured".into(),
            (Some(x), None) => x
                .chromium_note
                .clone()
                .unwrap_or_else(|| "not measured".into()),
            (Some(x), Some((s, w))) => format!(
                "least: {s:.0}× ({} {}, p50 {:.2} ms){}",
                w.template,
                w.fixture,
                w.summary.p50_ms,
                left_out(x, &|w| speed_up(x, w.fixture, w.summary.p50_ms)
                    .map_or_else(|| "-".into(), |s| format!("{s:.0}×")))
            ),
        },
        met: slowest_speed_up.map(|(s, _)| s >= 100.0),
    });
    let worst_hit = x.and_then(|x| {
        x.hits
            .iter()
            .max_by(|a, b| a.hits.p99_ms.total_cmp(&b.hits.p99_ms))
    });
    checks.push(Check {
        target: "export cache hit over HTTP: p99 ≤ 2 ms",
        measured: worst_hit.map_or_else(
            || "not measured".into(),
            |h| {
                format!(
                    "highest p99 {:.2} ms ({} {}); {} of {} answers not hits",
                    h.hits.p99_ms,
                    h.template,
                    h.fixture,
                    x.map_or(0, |x| x
                        .hits
                        .iter()
                        .map(|h| h.hits.unexpected + h.hits.errors)
                        .sum::<u64>()),
                    x.map_or(0, |x| x
                        .hits
                        .iter()
                        .map(|h| h.hits.ok + h.hits.unexpected + h.hits.errors)
                        .sum::<u64>()),
                )
            },
        ),
        met: x.map(|x| {
            x.hits.iter().all(|h| {
                h.hits.ok > 0 && h.hits.unexpected + h.hits.errors == 0 && h.hits.p99_ms <= 2.0
            })
        }),
    });
    checks.push(Check {
        target: "export server RSS after 1,000 renders (fonts loaded): ≤ 120 MiB",
        measured: x.map_or_else(
            || "not measured".into(),
            |x| {
                format!(
                    "{} MiB after {} renders ({} MiB after the first)",
                    mib(x.memory.after_kib),
                    x.memory.renders,
                    mib(x.memory.fonts_loaded_kib)
                )
            },
        ),
        // Fewer renders (a shortened run) say nothing about this target.
        met: x
            .filter(|x| x.memory.renders >= 1000)
            .map(|x| x.memory.after_kib <= 120 * 1024),
    });
    checks
}

/// One performance target, checked.
pub struct Check {
    pub target: &'static str,
    pub measured: String,
    /// `None` when the run did not measure it.
    pub met: Option<bool>,
}

pub fn checks(r: &Report) -> Vec<Check> {
    let mut checks = Vec::new();
    for target in ["resume", "share"] {
        let row = r
            .reads
            .iter()
            .find(|x| x.target == target && x.connections == 16);
        checks.push(Check {
            target: if target == "resume" {
                "GET /v1/resumes/{id} at 16 connections: ≥ 50 % of the bare hyper limit, p99 ≤ 2 ms"
            } else {
                "GET /s/{token} at 16 connections: ≥ 50 % of the bare hyper limit, p99 ≤ 2 ms"
            },
            measured: row.map_or_else(
                || "not measured".into(),
                |x| {
                    format!(
                        "{:.0} % of the limit ({:.0} req/s), p99 {:.2} ms",
                        x.fraction_of_limit * 100.0,
                        x.requests_per_s,
                        x.p99_ms
                    )
                },
            ),
            met: row.map(|x| x.fraction_of_limit >= 0.5 && x.p99_ms <= 2.0),
        });
    }
    let pdf = r
        .uploads
        .iter()
        .find(|u| u.format == "pdf" && u.concurrency == 1);
    checks.push(Check {
        target: "upload → complete of a one-page PDF: p50 ≤ 20 ms",
        measured: pdf.map_or_else(
            || "not measured".into(),
            |u| format!("p50 {:.1} ms", u.summary.p50_ms),
        ),
        met: pdf.map(|u| u.summary.ok > 0 && u.summary.p50_ms <= 20.0),
    });
    let sse = r
        .fanout
        .as_ref()
        .and_then(|f| f.rows.iter().find(|x| x.subscribers >= 10_000));
    checks.push(Check {
        target: "10,000 SSE subscribers: broadcast p99 ≤ 100 ms, ≤ 20 KB RSS each",
        measured: sse.map_or_else(
            || "not measured".into(),
            |x| {
                format!(
                    "p99 {:.1} ms, {:.1} KB each, {} of {} deliveries",
                    x.p99_ms,
                    x.bytes_per_subscriber / 1000.0,
                    x.deliveries_received,
                    x.deliveries_expected
                )
            },
        ),
        met: sse.map(|x| {
            x.p99_ms <= 100.0
                && x.bytes_per_subscriber <= 20_000.0
                && x.deliveries_received == x.deliveries_expected
        }),
    });
    let writes = r.writes.iter().find(|w| w.clients == 128);
    checks.push(Check {
        target: "durable writes at 128 clients: ≥ 2,000/s, every one listed after",
        measured: writes.map_or_else(
            || "not measured".into(),
            |w| {
                format!(
                    "{:.0}/s; {} acknowledged, {} listed",
                    w.summary.per_second, r.shares_acknowledged, r.shares_listed
                )
            },
        ),
        met: writes.map(|w| {
            w.summary.per_second >= 2000.0 && r.shares_acknowledged as usize == r.shares_listed
        }),
    });
    let worst = r.tui.iter().map(|t| t.p99_us).fold(f64::NAN, f64::max);
    checks.push(Check {
        target: "TUI at 200×60: ≤ 1 ms per frame (p99 of each scenario)",
        measured: if r.tui.is_empty() {
            "not measured".into()
        } else {
            r.tui
                .iter()
                .map(|t| format!("{} p99 {:.0} µs", t.scenario, t.p99_us))
                .collect::<Vec<_>>()
                .join("; ")
        },
        met: (!r.tui.is_empty()).then_some(worst <= 1000.0),
    });
    checks.extend(export_checks(r));
    checks.extend(abuse_checks(r));
    checks
}

fn check_rows(checks: Vec<Check>) -> Vec<Vec<String>> {
    checks
        .into_iter()
        .map(|c| {
            vec![
                c.target.to_string(),
                c.measured,
                match c.met {
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                    None => "-".into(),
                },
            ]
        })
        .collect()
}

fn checks_table(r: &Report) -> Table {
    Table {
        name: "targets",
        title: "Performance targets".into(),
        headers: vec!["target", "measured", "met"],
        rows: check_rows(checks(r)),
        notes: vec![],
    }
}

/// One chart per benchmark that ran: (file name, SVG).
pub fn charts(r: &Report) -> Vec<(&'static str, String)> {
    let mut charts = Vec::new();
    if !r.reads.is_empty() {
        let series = ["hello", "resume", "share"]
            .iter()
            .map(|target| Series {
                name: match *target {
                    "hello" => "bare hyper (limit)".to_string(),
                    "resume" => "GET /v1/resumes/{id}".to_string(),
                    _ => "GET /s/{token} (JSON)".to_string(),
                },
                points: r
                    .reads
                    .iter()
                    .filter(|x| x.target == *target)
                    .map(|x| (x.connections as f64, x.requests_per_s))
                    .collect(),
            })
            .collect();
        charts.push((
            "reads.svg",
            LineChart {
                title: "Reads: requests/s by connections",
                x_label: "keep-alive connections (wrk)",
                y_label: "requests/s",
                log_x: true,
                series,
            }
            .svg(),
        ));
    }
    if !r.uploads.is_empty() {
        charts.push((
            "uploads.svg",
            BarChart {
                title: "Upload → complete latency",
                y_label: "ms",
                categories: r
                    .uploads
                    .iter()
                    .map(|u| format!("{} ×{}", u.format, u.concurrency))
                    .collect(),
                series: vec![
                    (
                        "p50".into(),
                        r.uploads.iter().map(|u| u.summary.p50_ms).collect(),
                    ),
                    (
                        "p99".into(),
                        r.uploads.iter().map(|u| u.summary.p99_ms).collect(),
                    ),
                ],
            }
            .svg(),
        ));
    }
    if let Some(fanout) = &r.fanout {
        let line = |name: &str, pick: fn(&crate::fanout::FanoutRow) -> f64| Series {
            name: name.to_string(),
            points: fanout
                .rows
                .iter()
                .map(|x| (x.subscribers as f64, pick(x)))
                .collect(),
        };
        charts.push((
            "fanout.svg",
            LineChart {
                title: "SSE fan-out: delivery latency by subscribers",
                x_label: "subscribers of /v1/events",
                y_label: "ms",
                log_x: true,
                series: vec![line("p50", |x| x.p50_ms), line("p99", |x| x.p99_ms)],
            }
            .svg(),
        ));
    }
    if !r.writes.is_empty() {
        charts.push((
            "writes.svg",
            LineChart {
                title: "Durable writes/s by concurrent clients",
                x_label: "clients",
                y_label: "writes/s",
                log_x: true,
                series: vec![Series {
                    name: "POST …/shares".into(),
                    points: r
                        .writes
                        .iter()
                        .map(|w| (w.clients as f64, w.summary.per_second))
                        .collect(),
                }],
            }
            .svg(),
        ));
    }
    if let Some(x) = &r.export {
        let templates: Vec<String> = x
            .warm
            .iter()
            .filter(|w| w.fixture == "one page")
            .map(|w| w.template.clone())
            .collect();
        let p50 = |fixture: &str| -> Vec<f64> {
            templates
                .iter()
                .map(|t| {
                    x.warm
                        .iter()
                        .find(|w| &w.template == t && w.fixture == fixture)
                        .map_or(f64::NAN, |w| w.summary.p50_ms)
                })
                .collect()
        };
        charts.push((
            "export.svg",
            BarChart {
                title: "Warm render to PDF (one field changed), p50",
                y_label: "ms",
                series: vec![
                    ("one page".into(), p50("one page")),
                    ("three pages".into(), p50("three pages")),
                ],
                categories: templates,
            }
            .svg(),
        ));
    }
    if !r.tui.is_empty() {
        charts.push((
            "tui.svg",
            BarChart {
                title: "TUI frame render time at 200×60",
                y_label: "µs",
                categories: r.tui.iter().map(|t| t.scenario.clone()).collect(),
                series: vec![
                    ("p50".into(), r.tui.iter().map(|t| t.p50_us).collect()),
                    ("p99".into(), r.tui.iter().map(|t| t.p99_us).collect()),
                ],
            }
            .svg(),
        ));
    }
    charts
}

pub fn print_tables(r: &Report) {
    let m = &r.machine;
    println!("vitae-bench — {}", r.date_utc);
    println!(
        "machine: {} cores, {}, {} MiB, Linux {}; load average (1 min) {} at start, {} at end",
        m.cores, m.cpu, m.memory_mib, m.kernel, m.loadavg_start, m.loadavg_end
    );
    println!();
    for table in tables(r) {
        println!("{}", table.console());
    }
    println!("{}", checks_table(r).console());
}

/// report.json, a CSV per table, an SVG per chart.
pub fn write_outputs(r: &Report, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };
    write("report.json", &serde_json::to_string_pretty(r)?)?;
    for table in tables(r).iter().chain([&checks_table(r)]) {
        write(&format!("{}.csv", table.name), &table.csv())?;
    }
    for (name, svg) in charts(r) {
        write(name, &svg)?;
    }
    Ok(())
}

/// The phase a table belongs to (`export_hits` → `export`): the unit a
/// partial run replaces in docs/benchmarks.md.
fn phase_of(table: &str) -> &str {
    table.split('_').next().unwrap_or(table)
}

/// The marker line that opens a section of docs/benchmarks.md.
fn marker(section: &str) -> String {
    format!("<!-- section: {section} -->\n")
}

/// `DIR/benchmarks.md` and `DIR/benchmarks/*.svg`, from this run.
///
/// The page is a preamble and sections, each opened by a marker comment
/// naming it (`<!-- section: reads -->`). A full run writes them all. A
/// partial run (`--only`) replaces the sections of the phases it ran,
/// each then saying which run it comes from, and keeps the preamble, the
/// targets table, the memory table and the other phases' sections as the
/// last run that wrote them left them.
pub fn write_docs(r: &Report, docs: &Path, partial: bool) -> anyhow::Result<()> {
    let charts_dir = docs.join("benchmarks");
    std::fs::create_dir_all(&charts_dir)
        .with_context(|| format!("creating {}", charts_dir.display()))?;
    let charts = charts(r);
    for (name, svg) in &charts {
        let path = charts_dir.join(name);
        std::fs::write(&path, svg).with_context(|| format!("writing {}", path.display()))?;
    }
    let m = &r.machine;
    let chart_of = |table: &str| -> Option<&str> {
        let name = format!("{table}.svg");
        charts.iter().find(|(n, _)| *n == name).map(|(n, _)| *n)
    };
    // This run's sections, in table order: (section name, text).
    let mut sections: Vec<(String, String)> = Vec::new();
    for table in tables(r) {
        let phase = phase_of(table.name).to_string();
        if sections.last().map(|(name, _)| name) != Some(&phase) {
            let mut text = marker(&phase);
            if partial {
                let _ = writeln!(
                    text,
                    "_From the run of {} (`{}`): {} cores ({}), {} MiB, Linux {}; load average {} \
                     at start, {} at end; server `{}`._\n",
                    r.date_utc,
                    r.command,
                    m.cores,
                    m.cpu,
                    m.memory_mib,
                    m.kernel,
                    m.loadavg_start,
                    m.loadavg_end,
                    r.server_binary
                );
            }
            sections.push((phase, text));
        }
        let text = &mut sections.last_mut().expect("pushed above").1;
        let _ = writeln!(text, "## {}\n\n{}", table.title, table.markdown());
        if let Some(chart) = chart_of(table.name) {
            let _ = writeln!(text, "![{}](benchmarks/{chart})\n", table.title);
        }
    }
    if let Some((_, text)) = sections.iter_mut().find(|(name, _)| name == "abuse") {
        let checks = Table {
            name: "abuse_targets",
            title: "Abuse targets".into(),
            headers: vec!["target", "measured", "met"],
            rows: check_rows(abuse_checks(r)),
            notes: vec![],
        };
        let _ = writeln!(text, "### {}\n\n{}", checks.title, checks.markdown());
    }
    if let Some((_, text)) = sections.iter_mut().find(|(name, _)| name == "export") {
        let checks = Table {
            name: "export_targets",
            title: "Export targets".into(),
            headers: vec!["target", "measured", "met"],
            rows: check_rows(export_checks(r)),
            notes: vec![],
        };
        let _ = writeln!(text, "### {}\n\n{}", checks.title, checks.markdown());
    }
    if let Some((_, text)) = sections.iter_mut().find(|(name, _)| name == "backends") {
        let checks = Table {
            name: "backends_targets",
            title: "Backend targets".into(),
            headers: vec!["target", "measured", "met"],
            rows: check_rows(backends_checks(r)),
            notes: vec![
                "Zero acknowledged writes lost in 10 crash rounds on PostgreSQL is the crash \
                 test's ledger, not a timing: `VITAE_TEST_BACKEND=postgres VITAE_CRASH_ROUNDS=10 \
                 cargo test -p vitae-tests --test crash` (bench/README.md, \"Backends\")."
                    .into(),
            ],
        };
        let _ = writeln!(text, "### {}\n\n{}", checks.title, checks.markdown());
    }
    let path = docs.join("benchmarks.md");
    let md = if partial {
        let existing = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} to update its sections", path.display()))?;
        let fresh: Vec<(String, String)> = sections
            .into_iter()
            .filter(|(name, _)| name != "memory")
            .collect();
        merge_sections(&existing, fresh).with_context(|| format!("updating {}", path.display()))?
    } else {
        let mut md = String::new();
        md.push_str("# Benchmarks\n\n");
        md.push_str(
            "Generated by `vitae-bench --docs docs` (bench/README.md says how to run it and what \
             each figure means); do not edit by hand. The load generators run on the same machine \
             as the server, so on a small machine they compete for its cores: the figures are a \
             floor, not the server's ceiling. What limits each figure, and what was profiled and \
             changed to reach it, is in [bench/README.md](../bench/README.md#what-limits-the-figures). \
             A run with `--only` replaces the sections of the phases it ran and says so in them.\n\n",
        );
        let _ = writeln!(
            md,
            "Run of {} (`{}`): {} cores ({}), {} MiB, Linux {}; load average {} at start, {} at \
             end. Server: `{}`.\n",
            r.date_utc,
            r.command,
            m.cores,
            m.cpu,
            m.memory_mib,
            m.kernel,
            m.loadavg_start,
            m.loadavg_end,
            r.server_binary
        );
        md.push_str(&marker("targets"));
        let _ = writeln!(md, "## Targets\n\n{}", checks_table(r).markdown());
        for (_, text) in sections {
            md.push_str(&text);
        }
        md
    };
    std::fs::write(&path, md).with_context(|| format!("writing {}", path.display()))
}

/// Replace (or add) `fresh` sections in the page `existing`; a new section
/// goes before the memory table, which stays last.
fn merge_sections(existing: &str, fresh: Vec<(String, String)>) -> anyhow::Result<String> {
    let mut preamble = String::new();
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in existing.split_inclusive('\n') {
        let name = line
            .trim_end()
            .strip_prefix("<!-- section: ")
            .and_then(|rest| rest.strip_suffix(" -->"));
        match (name, sections.last_mut()) {
            (Some(name), _) => sections.push((name.to_string(), line.to_string())),
            (None, Some((_, text))) => text.push_str(line),
            (None, None) => preamble.push_str(line),
        }
    }
    if sections.is_empty() {
        anyhow::bail!(
            "it has no section markers (`<!-- section: NAME -->`): run the whole bench once \
             (without --only) to write it in full"
        );
    }
    for (name, text) in fresh {
        if let Some(slot) = sections.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = text;
        } else {
            let at = sections
                .iter()
                .position(|(n, _)| n == "memory")
                .unwrap_or(sections.len());
            sections.insert(at, (name, text));
        }
    }
    let mut out = preamble;
    for (_, text) in sections {
        // Sections end with a blank line, whichever run wrote them.
        out.push_str(text.trim_end());
        out.push_str("\n\n");
    }
    Ok(format!("{}\n", out.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_run_replaces_only_its_sections() {
        let page = "# B\n\nRun of x.\n\n<!-- section: targets -->\n## Targets\n\nold\n\n\
                    <!-- section: reads -->\n## Reads\n\nold reads\n\n\
                    <!-- section: memory -->\n## Memory\n\nold memory\n";
        let merged = merge_sections(
            page,
            vec![
                (
                    "reads".into(),
                    "<!-- section: reads -->\n## Reads\n\nnew reads\n".into(),
                ),
                (
                    "export".into(),
                    "<!-- section: export -->\n## Export\n\nnew\n".into(),
                ),
            ],
        )
        .unwrap();
        assert_eq!(
            merged,
            "# B\n\nRun of x.\n\n<!-- section: targets -->\n## Targets\n\nold\n\n\
             <!-- section: reads -->\n## Reads\n\nnew reads\n\n\
             <!-- section: export -->\n## Export\n\nnew\n\n\
             <!-- section: memory -->\n## Memory\n\nold memory\n"
        );
        assert!(merge_sections("# B\n\nno markers\n", vec![]).is_err());
    }

    #[test]
    fn tables_render_the_same_rows_everywhere() {
        let table = Table {
            name: "t",
            title: "T".into(),
            headers: vec!["a", "b"],
            rows: vec![vec!["x, y".into(), "1".into()]],
            notes: vec!["note".into()],
        };
        assert_eq!(table.csv(), "a,b\n\"x, y\",1\n");
        assert!(table
            .markdown()
            .starts_with("| a | b |\n|---|---:|\n| x, y | 1 |"));
        assert!(table.console().contains("x, y  1"));
    }
}
