//! The optional language-model provider: any OpenAI-compatible
//! `/chat/completions` endpoint (Ollama, llama.cpp server, vLLM), off unless
//! `llm_url` and `llm_model` are configured.
//!
//! It drafts, it never decides: it may reword highlights of the tailored
//! resume and draft a cover letter and an outreach message, and
//! [`crate::tailoring`] checks every word of that against the source before
//! any of it reaches the person. A provider that fails, times out or answers
//! nonsense becomes a warning on the preview, never a silent fallback.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use vitae_common::Resume;

use crate::config::LlmConfig;

/// Why the provider gave no drafts. The `Display` form is for the server
/// log: it names the transport failure or status, never the provider's URL
/// (it may carry credentials) nor its error body (it may quote the key);
/// [`LlmError::user_warning`] is what the person tailoring reads.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("did not answer within {0:?}")]
    Timeout(Duration),
    #[error("could not be reached: {0}")]
    Unreachable(String),
    #[error(
        "answered HTTP {status} (a {body_bytes}-byte body, not logged: it may quote credentials)"
    )]
    Status { status: u16, body_bytes: usize },
    #[error("answered something that is not the expected JSON: {0}")]
    Malformed(String),
}

impl LlmError {
    /// What failed, in the terms of the person tailoring a resume: no
    /// address, no transport detail, no text from the provider.
    pub fn user_warning(&self) -> String {
        let what = match self {
            LlmError::Timeout(limit) => format!(
                "the language model did not answer in time (within {} s)",
                limit.as_secs()
            ),
            LlmError::Unreachable(_) => "the language model could not be reached".to_string(),
            LlmError::Status { status, .. } => {
                format!("the language model answered with an error (HTTP {status})")
            }
            LlmError::Malformed(_) => {
                "the language model's answer was not the expected JSON".to_string()
            }
        };
        format!("{what}; the deterministic result is shown")
    }
}

/// `raw` as it may be logged or shown: without user name and password and
/// without query and fragment (either may carry a key), each replaced by
/// `***` so a reader still sees that something was there.
pub fn redacted_url(raw: &str) -> String {
    let Ok(mut url) = reqwest::Url::parse(raw) else {
        return "(a URL that does not parse)".to_string();
    };
    let had_userinfo = !url.username().is_empty() || url.password().is_some();
    let had_query = url.query().is_some() || url.fragment().is_some();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.set_fragment(None);
    let mut shown = url.to_string();
    if had_userinfo {
        if let Some(at) = shown.find("://") {
            shown.insert_str(at + 3, "***@");
        }
    }
    if had_query {
        shown.push_str("?***");
    }
    shown
}

/// A transport error in words that name no URL: reqwest's own message with
/// the URL taken out, then its causes (connection refused, DNS, TLS).
fn transport_detail(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    detail
}

/// One reworded highlight, by its JSON Pointer in the tailored document.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Rewrite {
    pub path: String,
    pub text: String,
}

/// What the model proposed, unchecked.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Suggestions {
    #[serde(default)]
    pub highlights: Vec<Rewrite>,
    #[serde(default)]
    pub cover_letter: Option<String>,
    #[serde(default)]
    pub outreach_message: Option<String>,
}

pub struct Provider {
    client: reqwest::Client,
    config: LlmConfig,
    /// `{url}/chat/completions`, the base URL's query kept (some gateways
    /// take their key there).
    endpoint: reqwest::Url,
}

const SYSTEM_PROMPT: &str = "You help a person tailor their resume to a job. \
You never invent anything: use only employers, titles, dates, skills and facts \
that appear in the resume you are given. Answer with one JSON object and nothing \
else: {\"highlights\": [{\"path\": \"<the path given>\", \"text\": \"<the reworded \
highlight>\"}], \"cover_letter\": \"<at most 200 words>\", \"outreach_message\": \
\"<at most 80 words>\"}. Reword only highlights that gain from naming the job's \
keywords the person already has; leave the others out.";

impl Provider {
    pub fn new(config: LlmConfig) -> Result<Provider, LlmError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| LlmError::Unreachable(transport_detail(e)))?;
        let endpoint = endpoint(&config.url).ok_or_else(|| {
            LlmError::Unreachable(format!(
                "{} is not a URL that can take a path",
                redacted_url(&config.url)
            ))
        })?;
        Ok(Provider {
            client,
            config,
            endpoint,
        })
    }

    pub fn model(&self) -> &str {
        &self.config.model
    }

    /// Ask for rewrites and drafts for `tailored` against the job.
    pub async fn suggest(
        &self,
        tailored: &Resume,
        job_title: &str,
        job_skills: &[String],
    ) -> Result<Suggestions, LlmError> {
        let request = json!({
            "model": self.config.model,
            "temperature": 0.2,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user_prompt(tailored, job_title, job_skills)},
            ],
        });
        let mut call = self.client.post(self.endpoint.clone()).json(&request);
        if let Some(key) = &self.config.api_key {
            call = call.bearer_auth(key);
        }
        let response = call.send().await.map_err(|e| self.transport_error(e))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| self.transport_error(e))?;
        if !status.is_success() {
            return Err(LlmError::Status {
                status: status.as_u16(),
                body_bytes: body.len(),
            });
        }
        parse_completion(&body)
    }

    fn transport_error(&self, e: reqwest::Error) -> LlmError {
        if e.is_timeout() {
            LlmError::Timeout(self.config.timeout)
        } else {
            LlmError::Unreachable(transport_detail(e))
        }
    }
}

/// The completions endpoint under `base`, its query kept.
fn endpoint(base: &str) -> Option<reqwest::Url> {
    let mut url = reqwest::Url::parse(base).ok()?;
    url.path_segments_mut()
        .ok()?
        .pop_if_empty()
        .extend(["chat", "completions"]);
    Some(url)
}

/// The resume as the model needs it: every highlight with the path to
/// answer with, and the facts it may use.
fn user_prompt(tailored: &Resume, job_title: &str, job_skills: &[String]) -> String {
    let mut out = format!(
        "Job: {job_title}\nThe job's keywords: {}\n\nResume:\n",
        job_skills.join(", ")
    );
    for (i, work) in tailored.work.iter().enumerate() {
        out.push_str(&format!(
            "- {} at {} ({} to {})\n",
            work.position.as_deref().unwrap_or("?"),
            work.name.as_deref().unwrap_or("?"),
            work.start_date.as_deref().unwrap_or("?"),
            work.end_date.as_deref().unwrap_or("present"),
        ));
        for (j, highlight) in work.highlights.iter().enumerate() {
            out.push_str(&format!("  path /work/{i}/highlights/{j}: {highlight}\n"));
        }
    }
    let skills: Vec<&str> = tailored
        .skills
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    out.push_str(&format!("Skills: {}\n", skills.join(", ")));
    out
}

/// The JSON object inside the first choice's message. Models like to wrap
/// JSON in prose or code fences, so the outermost `{…}` is taken.
fn parse_completion(body: &str) -> Result<Suggestions, LlmError> {
    let completion: Value =
        serde_json::from_str(body).map_err(|e| LlmError::Malformed(e.to_string()))?;
    let content = completion
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or_else(|| LlmError::Malformed("no choices[0].message.content".into()))?;
    let (Some(start), Some(end)) = (content.find('{'), content.rfind('}')) else {
        return Err(LlmError::Malformed(
            "the message holds no JSON object".into(),
        ));
    };
    if end < start {
        return Err(LlmError::Malformed(
            "the message holds no JSON object".into(),
        ));
    }
    serde_json::from_str(&content[start..=end]).map_err(|e| LlmError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_are_read_through_prose_and_fences() {
        let body = json!({"choices": [{"message": {"content":
            "Sure!\n```json\n{\"highlights\": [{\"path\": \"/work/0/highlights/0\", \"text\": \"x\"}], \"cover_letter\": \"Dear\"}\n```"}}]})
        .to_string();
        let s = parse_completion(&body).unwrap();
        assert_eq!(s.highlights.len(), 1);
        assert_eq!(s.cover_letter.as_deref(), Some("Dear"));
        assert!(s.outreach_message.is_none());
    }

    #[test]
    fn urls_are_logged_without_credentials() {
        assert_eq!(
            redacted_url("https://user:hunter2@llm.example:8443/v1?key=sk-123#x"),
            "https://***@llm.example:8443/v1?***"
        );
        assert_eq!(
            redacted_url("http://127.0.0.1:11434/v1"),
            "http://127.0.0.1:11434/v1"
        );
        assert!(!redacted_url("http://sk-123@[::1/").contains("sk-123"));
    }

    #[test]
    fn the_endpoint_keeps_the_query() {
        assert_eq!(
            endpoint("http://h:1/v1?key=k").unwrap().as_str(),
            "http://h:1/v1/chat/completions?key=k"
        );
        assert_eq!(
            endpoint("http://h:1/v1/").unwrap().as_str(),
            "http://h:1/v1/chat/completions"
        );
    }

    #[test]
    fn user_warnings_quote_nothing_from_the_provider() {
        let errors = [
            LlmError::Timeout(Duration::from_secs(30)),
            LlmError::Unreachable("tcp connect error http://u:secret@h".into()),
            LlmError::Status {
                status: 500,
                body_bytes: 10,
            },
            LlmError::Malformed("expected value at secret".into()),
        ];
        for e in errors {
            let warning = e.user_warning();
            assert!(!warning.contains("secret"), "{warning}");
            assert!(warning.contains("the language model"), "{warning}");
            assert!(warning.ends_with("the deterministic result is shown"));
        }
    }

    #[test]
    fn malformed_completions_are_errors_not_empty_suggestions() {
        for body in [
            "not json",
            r#"{"choices": []}"#,
            r#"{"choices": [{"message": {"content": "no object here"}}]}"#,
            r#"{"choices": [{"message": {"content": "{\"highlights\": 3}"}}]}"#,
        ] {
            assert!(parse_completion(body).is_err(), "{body}");
        }
    }
}
