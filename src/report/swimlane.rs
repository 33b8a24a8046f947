//! Swimlane sequence diagrams as inline SVG, drawn by the tool itself (no script, no
//! network): one lane per actor plus the server, time flowing down, requests and responses
//! as arrows between an actor's lane and the server's, each notification as a mark on its
//! actor's lane, failing expectations in red and linked to their diff.
//!
//! Rows are laid out one below the other in the order given (callers sort them by time);
//! the time column says when each happened, so a fast step and a slow one both stay
//! readable. The SVG has a fixed width: pages put it in a box that scrolls on narrow screens.

use std::fmt::Write as _;

use super::html::escape;

/// Width of one lane at least, and at most.
const LANE_W_MIN: usize = 190;
const LANE_W_MAX: usize = 300;
/// The width the lanes share when they can: a report's column at 1280 px.
const ROOM: usize = 1120;
/// Width of the time column, when there is one.
const TIME_W: usize = 84;
/// Height of the lane headers.
const HEADER_H: usize = 40;
/// Height of one row.
const ROW_H: usize = 30;
/// Average width of a character of the 11 px label font, for cutting labels to fit.
const CHAR_W: f64 = 6.3;

/// A diagram.
#[derive(Debug, Clone, Default)]
pub struct Swimlane {
    /// Prefix of the SVG's own element ids (unique within the page).
    pub id: String,
    /// What the diagram shows, for screen readers.
    pub title: String,
    /// The actors' lanes, left to right; the server's lane comes last.
    pub actors: Vec<String>,
    /// The server's lane name.
    pub server: String,
    /// The rows, top to bottom.
    pub rows: Vec<Row>,
}

/// One thing that happened.
#[derive(Debug, Clone)]
pub struct Row {
    /// What it is, and on which lane(s).
    pub kind: RowKind,
    /// The label beside it (cut to fit; `detail` has the rest).
    pub label: String,
    /// The tooltip: the full label and anything else worth knowing.
    pub detail: String,
    /// When it happened, for the time column (`12.3 ms`).
    pub time: Option<String>,
    /// Whether an expectation about it failed.
    pub failed: bool,
    /// Where its failure's diff is (`#diff-1-2`).
    pub href: Option<String>,
}

/// The kinds of row; lanes are indices into [`Swimlane::actors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// An actor's request to the server.
    Request {
        /// The actor.
        from: usize,
    },
    /// The server's response to an actor.
    Response {
        /// The actor.
        to: usize,
    },
    /// A notification delivered to an actor.
    Notification {
        /// The actor.
        to: usize,
    },
    /// Expected notifications that never arrived.
    Missing {
        /// The actor.
        lane: usize,
    },
    /// Something across all lanes: a state-hook call, a step boundary.
    Note,
}

impl Swimlane {
    /// The diagram as an `<svg>` element.
    pub fn to_svg(&self) -> String {
        let timed = self.rows.iter().any(|r| r.time.is_some());
        let left = if timed { TIME_W } else { 0 };
        let lanes = self.actors.len() + 1;
        let lane_w = ((ROOM - left) / lanes).clamp(LANE_W_MIN, LANE_W_MAX);
        let width = left + lanes * lane_w;
        let height = HEADER_H + self.rows.len() * ROW_H + 12;
        let x = |lane: usize| left + lane * lane_w + lane_w / 2;
        let server = self.actors.len();
        let id = &self.id;
        let mut svg = String::new();
        let _ = write!(
            svg,
            "<svg class=\"swimlane\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
             viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{id}-title\" \
             font-family=\"system-ui, sans-serif\" font-size=\"11\">\
             <title id=\"{id}-title\">{}</title>\
             <defs>{}{}</defs>",
            escape(&self.title),
            marker(&format!("{id}-arrow"), "#4b5563"),
            marker(&format!("{id}-arrow-failed"), "#c62828"),
        );
        let names = self
            .actors
            .iter()
            .map(String::as_str)
            .chain([self.server.as_str()]);
        for (lane, name) in names.enumerate() {
            let cx = x(lane);
            let kind = if lane == server { "server" } else { "actor" };
            let _ = write!(
                svg,
                "<g class=\"lane {kind}\" data-lane=\"{}\"><line class=\"lifeline\" x1=\"{cx}\" y1=\"{HEADER_H}\" \
                 x2=\"{cx}\" y2=\"{height}\"/><rect class=\"head\" x=\"{}\" y=\"6\" width=\"{}\" height=\"26\" rx=\"4\"/>\
                 <text class=\"name\" x=\"{cx}\" y=\"23\" text-anchor=\"middle\">{}</text></g>",
                escape(name),
                cx - lane_w / 2 + 8,
                lane_w - 16,
                escape(&fit(name, lane_w - 24))
            );
        }
        for (i, row) in self.rows.iter().enumerate() {
            let y = HEADER_H + i * ROW_H + ROW_H / 2 + 4;
            let mut classes = vec!["row", row.kind.class()];
            if row.failed {
                classes.push("failed");
            }
            let body = self.row_body(row, y, &x, lane_w);
            let time = row.time.as_deref().map_or_else(String::new, |t| {
                format!(
                    "<text class=\"time\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
                    left - 8,
                    y + 4,
                    escape(t)
                )
            });
            let tooltip = format!("<title>{}</title>", escape(&row.detail));
            let group = format!("<g class=\"{}\">{tooltip}{time}{body}</g>", classes.join(" "));
            match &row.href {
                Some(href) => {
                    let _ = write!(svg, "<a class=\"to-diff\" href=\"{}\">{group}</a>", escape(href));
                }
                None => svg.push_str(&group),
            }
        }
        svg.push_str("</svg>");
        svg
    }

    fn row_body(&self, row: &Row, y: usize, x: &dyn Fn(usize) -> usize, lane_w: usize) -> String {
        let id = &self.id;
        let server = x(self.actors.len());
        let marker = if row.failed { "arrow-failed" } else { "arrow" };
        let arrow = |from: usize, to: usize, dashed: bool| {
            let (x1, x2) = if from < to { (from, to - 2) } else { (from, to + 2) };
            format!(
                "<line class=\"arrow{}\" x1=\"{x1}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" \
                 marker-end=\"url(#{id}-{marker})\"/>",
                if dashed { " dashed" } else { "" }
            )
        };
        let label = |from: usize, to: usize| {
            let (a, b) = (from.min(to), from.max(to));
            let room = (b - a).saturating_sub(12);
            format!(
                "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                (a + b) / 2,
                y - 5,
                escape(&fit(&row.label, room))
            )
        };
        match row.kind {
            RowKind::Request { from } => {
                format!("{}{}", arrow(x(from), server, false), label(x(from), server))
            }
            RowKind::Response { to } => format!("{}{}", arrow(server, x(to), true), label(server, x(to))),
            RowKind::Notification { to } => format!(
                "{}<circle class=\"mark notification\" cx=\"{}\" cy=\"{y}\" r=\"5\"/>{}",
                arrow(server, x(to), true),
                x(to),
                label(server, x(to))
            ),
            RowKind::Missing { lane } => {
                let cx = x(lane);
                format!(
                    "<path class=\"mark missing\" d=\"M{} {} l10 10 m0 -10 l-10 10\"/>{}",
                    cx - 5,
                    y - 5,
                    label(server, cx)
                )
            }
            RowKind::Note => {
                let left = x(0) - lane_w / 2 + 6;
                let width = server + lane_w / 2 - 6 - left;
                format!(
                    "<rect class=\"note-box\" x=\"{left}\" y=\"{}\" width=\"{width}\" height=\"{}\" rx=\"3\"/>\
                     <text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    y - 11,
                    ROW_H - 8,
                    left + width / 2,
                    y + 3,
                    escape(&fit(&row.label, width.saturating_sub(12)))
                )
            }
        }
    }
}

impl RowKind {
    fn class(self) -> &'static str {
        match self {
            RowKind::Request { .. } => "request",
            RowKind::Response { .. } => "response",
            RowKind::Notification { .. } => "notification",
            RowKind::Missing { .. } => "missing",
            RowKind::Note => "note",
        }
    }
}

/// An arrowhead of `colour` (markers do not take the colour of the line that uses them).
fn marker(id: &str, colour: &str) -> String {
    format!(
        "<marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker>"
    )
}

/// `text` cut (with `…`) to about `width` pixels of label font.
fn fit(text: &str, width: usize) -> String {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a few hundred pixels, well within range"
    )]
    let max = ((width as f64) / CHAR_W).floor().max(1.0) as usize;
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: RowKind, label: &str, time: Option<&str>, failed: bool) -> Row {
        Row {
            kind,
            label: label.to_owned(),
            detail: format!("{label} (detail)"),
            time: time.map(str::to_owned),
            failed,
            href: failed.then(|| "#diff-1-1".to_owned()),
        }
    }

    #[test]
    fn a_diagram_has_a_lane_per_actor_and_the_server_and_a_mark_per_notification() {
        let diagram = Swimlane {
            id: "s1".to_owned(),
            title: "complete: agent1 and the server".to_owned(),
            actors: vec!["agent1".to_owned(), "agent<2>".to_owned()],
            server: "GWS server".to_owned(),
            rows: vec![
                row(
                    RowKind::Note,
                    "given facebook session chatting",
                    Some("0.0 ms"),
                    false,
                ),
                row(
                    RowKind::Request { from: 0 },
                    "POST /api/v2/me/facebooksessions/0001 Complete",
                    Some("3.1 ms"),
                    false,
                ),
                row(
                    RowKind::Notification { to: 0 },
                    "StatusChange: Completed +2.0 ms",
                    Some("5.1 ms"),
                    true,
                ),
                row(
                    RowKind::Response { to: 0 },
                    "200 statusCode 0",
                    Some("6.0 ms"),
                    false,
                ),
                row(
                    RowKind::Missing { lane: 1 },
                    "missing: 1 of 1 within 5000 ms",
                    Some("5003.1 ms"),
                    true,
                ),
            ],
        };
        let svg = diagram.to_svg();
        assert_eq!(svg.matches("<g class=\"lane ").count(), 3);
        assert_eq!(svg.matches("class=\"mark notification\"").count(), 1);
        assert_eq!(svg.matches("<a class=\"to-diff\" href=\"#diff-1-1\">").count(), 2);
        assert!(svg.contains("agent&lt;2&gt;"), "names are escaped");
        insta::assert_snapshot!(svg.replace("><", ">\n<"));
    }

    #[test]
    fn labels_are_cut_to_their_room() {
        assert_eq!(fit("short", 100), "short");
        assert_eq!(fit("a label far too long for its room", 63), "a label f…");
    }
}
