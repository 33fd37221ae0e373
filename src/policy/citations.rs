//! Rule citations: where a policy says which handbook clause each of its rules follows.
//!
//! A rule is marked by a comment line in a script (`//`) or in `policy.toml` (`#`):
//!
//! ```text
//! // @rule grade.repeat_purchase 000_1a90fa5d73efa1e7.txt "某位客戶第二次購買產(chǎn)品,他會自動地將這位客戶升高一個級別" a repeat purchase raises the grade one level
//! ```
//!
//! that is `@rule`, the rule's id (letters, digits, `_`, `.`, `-`), the handbook's file name,
//! the quoted phrase as the handbook writes it (between `"…"`, `“…”` or `「…」`), and
//! optionally a short gloss. A rule the policy deliberately does not implement is marked the
//! same way with `@left_out`, and its gloss (required) says why.
//!
//! The rule covers the lines after its comment up to the next citation or the next
//! top-level `fn`, so that a decision's `rule` (`promote.rhai:14`) can be traced back to the
//! handbook ([`Policy::citation_at`](super::Policy::citation_at)). A malformed citation is a
//! policy error at its line and column; two citations with one id are an error too.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::SourceLocation;

use crate::error::Diagnostic;
use crate::source::PolicyFile;

/// Whether a cited rule is built or deliberately left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CitationStatus {
    /// `@rule`: the lines after the citation implement it.
    Implemented,
    /// `@left_out`: the policy does not implement it, and the gloss says why.
    LeftOut,
}

/// One rule of a policy and the handbook clause it follows.
///
/// ```
/// let policy = patron::Policy::embedded_default()?;
/// let repeat = policy.citations().iter().find(|c| c.id == "grade.repeat_purchase").unwrap();
/// assert_eq!(repeat.handbook, "000_1a90fa5d73efa1e7.txt");
/// assert!(repeat.quote.contains("第二次購買"));
/// # Ok::<(), patron::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Citation {
    /// The rule's id, unique within the policy, e.g. `grade.repeat_purchase`.
    pub id: String,
    /// Built, or deliberately left out.
    pub status: CitationStatus,
    /// The policy file that carries the citation, e.g. `promote.rhai`.
    pub file: String,
    /// The citation's line (1-based).
    pub line: usize,
    /// The handbook's file name, e.g. `000_1a90fa5d73efa1e7.txt`.
    pub handbook: String,
    /// The phrase quoted from the handbook, exactly as the handbook writes it.
    pub quote: String,
    /// A short gloss in the policy's language; for a left-out rule, why it is left out.
    pub gloss: String,
}

impl Citation {
    /// `file:line`, as decisions name their rule.
    pub fn place(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// The citations of a policy's files, in file order then line order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Citations {
    list: Vec<Citation>,
    /// For each file, the line ranges `[start, end)` each implemented citation covers.
    spans: BTreeMap<String, Vec<(usize, usize, usize)>>,
}

impl Citations {
    /// Every citation, in file order then line order.
    pub(crate) fn list(&self) -> &[Citation] {
        &self.list
    }

    /// The implemented citation whose span holds `line` of `file`.
    pub(crate) fn at(&self, file: &str, line: usize) -> Option<&Citation> {
        self.spans
            .get(file)?
            .iter()
            .find(|(start, end, _)| (*start..*end).contains(&line))
            .map(|(_, _, index)| &self.list[*index])
    }
}

const MARKERS: [(&str, CitationStatus); 2] = [
    ("@rule", CitationStatus::Implemented),
    ("@left_out", CitationStatus::LeftOut),
];

/// Reads the citations of `files` (sorted by name), reporting every malformed one.
pub(crate) fn read(files: &[PolicyFile], diagnostics: &mut Vec<Diagnostic>) -> Citations {
    let mut citations = Citations::default();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for file in files {
        let leader = if file.name.ends_with(".rhai") {
            "//"
        } else if file.name.ends_with(".toml") {
            "#"
        } else {
            continue;
        };
        let mut starts: Vec<(usize, usize)> = Vec::new();
        let mut boundaries: Vec<usize> = Vec::new();
        let lines: Vec<&str> = file.text.lines().collect();
        for (index, raw) in lines.iter().enumerate() {
            let line = index + 1;
            if raw.starts_with("fn ") || raw.starts_with("private fn ") {
                boundaries.push(line);
            }
            let trimmed = raw.trim_start();
            let Some(comment) = trimmed.strip_prefix(leader) else {
                continue;
            };
            let body = comment.trim_start();
            let Some((marker, status)) = MARKERS
                .iter()
                .find(|(m, _)| body.starts_with(m) && !body[m.len()..].starts_with(is_id_char))
            else {
                continue;
            };
            let column = raw.len() - body.len() + 1;
            let at = SourceLocation {
                file: file.name.clone(),
                line,
                column,
            };
            match parse(&body[marker.len()..], *status) {
                Ok((id, handbook, quote, gloss)) => {
                    if let Some(first) = seen.get(&id) {
                        diagnostics.push(Diagnostic::error(
                            at,
                            format!("rule `{id}` is cited twice (first at {first}); rule ids must be unique"),
                        ));
                        continue;
                    }
                    seen.insert(id.clone(), format!("{}:{line}", file.name));
                    if *status == CitationStatus::Implemented {
                        starts.push((line, citations.list.len()));
                    } else {
                        boundaries.push(line);
                    }
                    citations.list.push(Citation {
                        id,
                        status: *status,
                        file: file.name.clone(),
                        line,
                        handbook,
                        quote,
                        gloss,
                    });
                }
                Err(message) => diagnostics.push(Diagnostic::error(
                    at,
                    format!("{message}; a citation reads `{marker} <id> <handbook file> \"<quoted phrase>\" [gloss]`"),
                )),
            }
        }
        let all_starts: Vec<usize> = starts.iter().map(|(line, _)| *line).collect();
        let spans = starts
            .iter()
            .map(|&(start, index)| {
                let end = all_starts
                    .iter()
                    .chain(&boundaries)
                    .copied()
                    .filter(|&l| l > start)
                    .min()
                    .unwrap_or(lines.len() + 1);
                (start, end, index)
            })
            .collect();
        citations.spans.insert(file.name.clone(), spans);
    }
    citations
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')
}

/// `<id> <handbook> "<quote>" [gloss]` after the marker.
fn parse(rest: &str, status: CitationStatus) -> Result<(String, String, String, String), String> {
    let rest = rest.trim_start();
    let id_len = rest.find(|c: char| !is_id_char(c)).unwrap_or(rest.len());
    let id = &rest[..id_len];
    if id.is_empty() {
        return Err("the citation has no rule id".into());
    }
    let rest = rest[id_len..].trim_start();
    let handbook_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let handbook = &rest[..handbook_len];
    if handbook.is_empty() || is_open_quote(handbook.chars().next()) {
        return Err(format!("rule `{id}` names no handbook file"));
    }
    let rest = rest[handbook_len..].trim_start();
    let mut chars = rest.char_indices();
    let close = match chars.next() {
        Some((_, '"')) => '"',
        Some((_, '“')) => '”',
        Some((_, '「')) => '」',
        _ => return Err(format!("rule `{id}` quotes no phrase of {handbook}")),
    };
    let open_len = rest.chars().next().map_or(0, char::len_utf8);
    let Some(end) = rest[open_len..].find(close) else {
        return Err(format!("rule `{id}`: the quoted phrase is not closed"));
    };
    let quote = rest[open_len..open_len + end].trim();
    if quote.is_empty() {
        return Err(format!("rule `{id}` quotes an empty phrase"));
    }
    let gloss = rest[open_len + end + close.len_utf8()..]
        .trim()
        .trim_start_matches(['—', '-', ':'])
        .trim();
    if status == CitationStatus::LeftOut && gloss.is_empty() {
        return Err(format!(
            "left-out rule `{id}` does not say why it is left out"
        ));
    }
    Ok((id.into(), handbook.into(), quote.into(), gloss.into()))
}

fn is_open_quote(c: Option<char>) -> bool {
    matches!(c, Some('"' | '“' | '「'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> PolicyFile {
        PolicyFile {
            name: name.into(),
            text: text.into(),
        }
    }

    #[test]
    fn reads_rules_left_outs_and_spans() {
        let script = "// @rule a.one 000.txt \"第一\" the first\nfn grade(c, s) {\n  // @rule a.two 000.txt 「第二」\n  set_grade(\"A\", \"x\")\n}\nfn stage(c) { keep_stage(\"y\") }\n";
        let toml = "# @left_out b.three 002.txt “第三” needs data we do not have\nname = \"x\"\n";
        let mut diagnostics = Vec::new();
        let citations = read(
            &[file("policy.toml", toml), file("promote.rhai", script)],
            &mut diagnostics,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let ids: Vec<&str> = citations.list().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["b.three", "a.one", "a.two"]);
        let two = &citations.list()[2];
        assert_eq!((two.line, two.quote.as_str()), (3, "第二"));
        assert_eq!(citations.list()[0].status, CitationStatus::LeftOut);
        assert_eq!(citations.list()[0].gloss, "needs data we do not have");
        assert_eq!(citations.list()[1].gloss, "the first");
        // Line 2 is the `fn` line: a new function ends a.one's span.
        assert_eq!(citations.at("promote.rhai", 1).unwrap().id, "a.one");
        assert!(citations.at("promote.rhai", 2).is_none());
        assert_eq!(citations.at("promote.rhai", 4).unwrap().id, "a.two");
        assert!(citations.at("promote.rhai", 6).is_none());
        assert!(citations.at("policy.toml", 1).is_none());
    }

    #[test]
    fn reports_malformed_and_duplicate_citations_at_their_line() {
        let script = "// @rule\n// @rule x.y\n// @rule x.y 000.txt\n// @rule x.z 000.txt \"open\n// @left_out x.w 000.txt \"q\"\n// @rule ok 000.txt \"q\"\n  // @rule ok 000.txt \"q\"\n// @rules are not citations\n";
        let mut diagnostics = Vec::new();
        let citations = read(&[file("promote.rhai", script)], &mut diagnostics);
        let lines: Vec<usize> = diagnostics.iter().map(|d| d.location.line).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5, 7]);
        assert!(diagnostics[1].message.contains("names no handbook"));
        assert!(diagnostics[2].message.contains("quotes no phrase"));
        assert!(diagnostics[3].message.contains("not closed"));
        assert!(diagnostics[4].message.contains("does not say why"));
        assert!(diagnostics[5].message.contains("cited twice"));
        assert_eq!(diagnostics[5].location.column, 6);
        assert_eq!(citations.list().len(), 1);
    }
}
