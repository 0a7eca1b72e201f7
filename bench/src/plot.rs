//! SVG charts of the bench's tables, written next to its CSV and JSON files
//! and embedded in docs/benchmarks.md. Plain SVG text, no plotting library:
//! two kinds are enough — lines over a (log) x axis, such as requests/s per
//! connection count, and grouped bars, such as latency per file format.

use std::fmt::Write as _;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 360.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 56.0;
const COLOURS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
];

pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

pub struct LineChart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    /// Logarithmic x axis (connection and subscriber counts span decades).
    pub log_x: bool,
    pub series: Vec<Series>,
}

pub struct BarChart<'a> {
    pub title: &'a str,
    pub y_label: &'a str,
    /// One group of bars per category (e.g. "pdf ×1").
    pub categories: Vec<String>,
    /// One bar per series in each group; `values[i]` belongs to category i.
    pub series: Vec<(String, Vec<f64>)>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A "nice" upper bound and tick step for values up to `max`.
fn nice_scale(max: f64) -> (f64, f64) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 0.25);
    }
    let magnitude = 10f64.powf(max.log10().floor());
    let step = [0.1, 0.2, 0.25, 0.5, 1.0, 2.0]
        .iter()
        .map(|f| f * magnitude)
        .find(|step| max / step <= 6.0)
        .unwrap_or(2.0 * magnitude);
    ((max / step).ceil() * step, step)
}

fn number(value: f64) -> String {
    if value >= 10_000.0 {
        format!("{:.0}k", value / 1000.0)
    } else if value >= 100.0 || value == value.trunc() {
        format!("{value:.0}")
    } else if value >= 1.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn frame(svg: &mut String, title: &str, y_label: &str) {
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{}" y="22" text-anchor="middle" font-size="15" font-weight="bold">{}</text>
<text transform="translate(16 {}) rotate(-90)" text-anchor="middle">{}</text>
"##,
        LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
        escape(title),
        TOP + (HEIGHT - TOP - BOTTOM) / 2.0,
        escape(y_label),
    );
}

fn y_axis(svg: &mut String, top: f64, step: f64) {
    let plot_h = HEIGHT - TOP - BOTTOM;
    let mut tick = 0.0;
    while tick <= top + step / 2.0 {
        let y = TOP + plot_h - tick / top * plot_h;
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#dddddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            number(tick)
        );
        tick += step;
    }
}

fn legend(svg: &mut String, names: &[&str]) {
    for (i, name) in names.iter().enumerate() {
        let y = TOP + 10.0 + i as f64 * 20.0;
        let x = WIDTH - RIGHT + 14.0;
        let _ = writeln!(
            svg,
            r##"<rect x="{x}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}">{}</text>"##,
            y - 10.0,
            COLOURS[i % COLOURS.len()],
            x + 18.0,
            y,
            escape(name)
        );
    }
}

impl LineChart<'_> {
    pub fn svg(&self) -> String {
        let mut svg = String::new();
        frame(&mut svg, self.title, self.y_label);
        let points = || self.series.iter().flat_map(|s| s.points.iter());
        let y_max = points().map(|p| p.1).fold(0.0, f64::max);
        let (top, step) = nice_scale(y_max);
        y_axis(&mut svg, top, step);
        let xs: Vec<f64> = {
            let mut xs: Vec<f64> = points().map(|p| p.0).collect();
            xs.sort_by(f64::total_cmp);
            xs.dedup();
            xs
        };
        let scale = |x: f64| if self.log_x { x.max(1e-9).ln() } else { x };
        let (lo, hi) = match (xs.first(), xs.last()) {
            (Some(&lo), Some(&hi)) if hi > lo => (scale(lo), scale(hi)),
            (Some(&lo), _) => (scale(lo) - 1.0, scale(lo) + 1.0),
            _ => (0.0, 1.0),
        };
        let plot_w = WIDTH - LEFT - RIGHT - 20.0;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let px = |x: f64| LEFT + 10.0 + (scale(x) - lo) / (hi - lo) * plot_w;
        let py = |y: f64| TOP + plot_h - y / top * plot_h;
        for &x in &xs {
            let _ = writeln!(
                svg,
                r##"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"##,
                px(x),
                HEIGHT - BOTTOM + 18.0,
                number(x)
            );
        }
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="middle">{}</text>"##,
            LEFT + (WIDTH - LEFT - RIGHT) / 2.0,
            HEIGHT - 14.0,
            escape(self.x_label)
        );
        for (i, series) in self.series.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let path: Vec<String> = series
                .points
                .iter()
                .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
                .collect();
            let _ = writeln!(
                svg,
                r##"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"##,
                path.join(" ")
            );
            for &(x, y) in &series.points {
                let _ = writeln!(
                    svg,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{colour}"><title>{}: {}</title></circle>"##,
                    px(x),
                    py(y),
                    escape(&series.name),
                    number(y)
                );
            }
        }
        let names: Vec<&str> = self.series.iter().map(|s| s.name.as_str()).collect();
        legend(&mut svg, &names);
        svg.push_str("</svg>\n");
        svg
    }
}

impl BarChart<'_> {
    pub fn svg(&self) -> String {
        let mut svg = String::new();
        frame(&mut svg, self.title, self.y_label);
        let y_max = self
            .series
            .iter()
            .flat_map(|(_, values)| values.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let (top, step) = nice_scale(y_max);
        y_axis(&mut svg, top, step);
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let groups = self.categories.len().max(1) as f64;
        let group_w = plot_w / groups;
        let bars = self.series.len().max(1) as f64;
        let bar_w = group_w * 0.8 / bars;
        for (g, category) in self.categories.iter().enumerate() {
            let x0 = LEFT + g as f64 * group_w + group_w * 0.1;
            for (s, (name, values)) in self.series.iter().enumerate() {
                let value = values.get(g).copied().unwrap_or(0.0);
                let value = if value.is_finite() { value } else { 0.0 };
                let h = value / top * plot_h;
                let _ = writeln!(
                    svg,
                    r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} {}: {}</title></rect>"##,
                    x0 + s as f64 * bar_w,
                    TOP + plot_h - h,
                    bar_w * 0.92,
                    h,
                    COLOURS[s % COLOURS.len()],
                    escape(category),
                    escape(name),
                    number(value)
                );
            }
            let _ = writeln!(
                svg,
                r##"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"##,
                x0 + group_w * 0.4,
                HEIGHT - BOTTOM + 18.0,
                escape(category)
            );
        }
        let names: Vec<&str> = self.series.iter().map(|(n, _)| n.as_str()).collect();
        legend(&mut svg, &names);
        svg.push_str("</svg>\n");
        svg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round_and_cover_the_data() {
        assert_eq!(nice_scale(87.0), (100.0, 20.0));
        assert_eq!(nice_scale(0.42), (0.5, 0.1));
        let (top, _) = nice_scale(12_345.0);
        assert!((12_345.0..=20_000.0).contains(&top));
    }

    #[test]
    fn charts_are_well_formed_svg_with_every_point() {
        let line = LineChart {
            title: "reads <GET>",
            x_label: "connections",
            y_label: "req/s",
            log_x: true,
            series: vec![Series {
                name: "hello".into(),
                points: vec![(1.0, 20_000.0), (16.0, 60_000.0), (256.0, 80_000.0)],
            }],
        }
        .svg();
        assert!(line.starts_with("<svg") && line.trim_end().ends_with("</svg>"));
        assert_eq!(line.matches("<circle").count(), 3);
        assert!(line.contains("reads &lt;GET&gt;"));
        let bars = BarChart {
            title: "uploads",
            y_label: "ms",
            categories: vec!["pdf".into(), "md".into()],
            series: vec![
                ("p50".into(), vec![7.0, 8.0]),
                ("p99".into(), vec![10.0, f64::NAN]),
            ],
        }
        .svg();
        assert_eq!(
            bars.matches("<rect x=").count(),
            4 + 2,
            "4 bars + 2 legend keys"
        );
    }
}
