//! Latency samples and their summary.
//!
//! Every successful request's latency is kept (a 10 s phase at tens of
//! thousands of requests per second is a few MB), sorted once, and read by
//! nearest rank. Failed requests are counted, never timed: a fast error must
//! not improve a percentile.

use std::time::Duration;

use serde::Serialize;

/// What a set of workers saw.
#[derive(Debug, Default)]
pub struct Samples {
    /// Latencies of requests that got the expected answer.
    pub ok: Vec<Duration>,
    /// Answers with an unexpected status (or a `failed` parse).
    pub unexpected: u64,
    /// Transport errors and timeouts.
    pub errors: u64,
    /// The first few unexpected answers or errors, for the report.
    pub first_problems: Vec<String>,
}

impl Samples {
    pub fn problem(&mut self, transport: bool, what: String) {
        if transport {
            self.errors += 1;
        } else {
            self.unexpected += 1;
        }
        if self.first_problems.len() < 3 {
            self.first_problems.push(what);
        }
    }

    pub fn merge(&mut self, other: Samples) {
        self.ok.extend(other.ok);
        self.unexpected += other.unexpected;
        self.errors += other.errors;
        for problem in other.first_problems {
            if self.first_problems.len() < 3 {
                self.first_problems.push(problem);
            }
        }
    }

    /// Summarise; `elapsed` is the wall time the samples were taken in.
    pub fn summary(mut self, elapsed: Duration) -> Summary {
        self.ok.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let pick = |p: f64| -> f64 {
            if self.ok.is_empty() {
                return f64::NAN;
            }
            let rank = ((p * self.ok.len() as f64).ceil() as usize).clamp(1, self.ok.len());
            ms(self.ok[rank - 1])
        };
        let total: Duration = self.ok.iter().sum();
        Summary {
            ok: self.ok.len() as u64,
            unexpected: self.unexpected,
            errors: self.errors,
            elapsed_s: elapsed.as_secs_f64(),
            per_second: self.ok.len() as f64 / elapsed.as_secs_f64(),
            mean_ms: if self.ok.is_empty() {
                f64::NAN
            } else {
                ms(total) / self.ok.len() as f64
            },
            p50_ms: pick(0.50),
            p90_ms: pick(0.90),
            p99_ms: pick(0.99),
            max_ms: pick(1.0),
            first_problems: self.first_problems,
        }
    }
}

/// The figures of one measurement.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Requests (or uploads) that got the expected answer.
    pub ok: u64,
    /// Non-2xx (or otherwise unexpected) answers.
    pub unexpected: u64,
    /// Transport errors and timeouts.
    pub errors: u64,
    pub elapsed_s: f64,
    /// Successful requests per second of wall time.
    pub per_second: f64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub first_problems: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut samples = Samples {
            ok: (1..=100).map(Duration::from_millis).collect(),
            ..Samples::default()
        };
        samples.problem(false, "500".into());
        let summary = samples.summary(Duration::from_secs(2));
        assert_eq!(summary.ok, 100);
        assert_eq!(summary.unexpected, 1);
        assert_eq!(summary.p50_ms, 50.0);
        assert_eq!(summary.p99_ms, 99.0);
        assert_eq!(summary.max_ms, 100.0);
        assert_eq!(summary.per_second, 50.0);
    }
}
