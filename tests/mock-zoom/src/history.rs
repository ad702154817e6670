//! One user's sign-in history: pattern days, sessions with their sign-ins, sign-outs and
//! hosted meetings, all regenerated on demand from a seed so large accounts stay small in
//! memory.

use std::sync::Arc;

use jiff::Timestamp;

use crate::accounts::timestamp;
use crate::activity::{ActivityEntry, ActivityKind, MockMeeting};
use crate::day_rng::{DayRng, Stream};
use crate::engagement::Engagement;

pub(crate) const MINUTE: i64 = 60;
pub(crate) const HOUR: i64 = 3_600;
pub(crate) const DAY: i64 = 86_400;

/// How long Zoom keeps `last_login_time` unchanged after a login: a later login within this
/// time does not update it.
pub(crate) const LAST_LOGIN_BUFFER: i64 = 3 * DAY;

/// Version reported for sign-ins through the web client.
const WEB_CLIENT_VERSION: &str = "6.3.10.7150";

/// An activity entry with the strings of its user shared, so that a cached month of a large
/// account's activity stays small.
#[derive(Clone, Debug)]
pub(crate) struct LogRow {
    pub time: Timestamp,
    pub kind: ActivityKind,
    pub email: Arc<str>,
    pub client_type: &'static str,
    pub version: Arc<str>,
    pub ip_address: Arc<str>,
}

impl LogRow {
    pub fn to_entry(&self) -> ActivityEntry {
        ActivityEntry {
            email: self.email.to_string(),
            time: self.time,
            kind: self.kind,
            client_type: self.client_type.to_owned(),
            version: self.version.to_string(),
            ip_address: self.ip_address.to_string(),
        }
    }
}

/// The strings that every entry of one user shares.
struct SharedStrings {
    email: Arc<str>,
    app_client_type: &'static str,
    app_version: Arc<str>,
    web_version: Arc<str>,
    office_ip: Arc<str>,
    home_ip: Arc<str>,
}

/// A sign-in that the pattern did not produce: a fixture user's last login, or one added with
/// `MockZoom::add_sign_in`.
#[derive(Clone, Debug)]
struct PinnedSignIn {
    at: i64,
    /// Whether a sign-out follows, 30 minutes to 3 hours later.
    signs_out: bool,
}

/// One signed-in period of a user.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub sign_in: i64,
    pub sign_out: Option<i64>,
    /// Whether the user signed in through the web client instead of the app.
    web: bool,
    /// Whether the user signed in from the office network instead of from home.
    office: bool,
    pub meetings: Vec<MockMeeting>,
}

/// Where a generated pattern runs and what limits it.
pub(crate) struct PatternWindow {
    /// The pattern signs in only after this instant, e.g. after the user was created.
    pub after: i64,
    /// The pattern signs in only up to the local day of this instant, e.g. until the user
    /// stopped using Zoom or was deactivated.
    pub until: i64,
    /// Nothing the pattern generates happens at or after this instant (`MockConfig::now`).
    pub end: i64,
}

/// A user's sign-in history. Pattern days and session times are pure functions of the seed and
/// the day, so any range can be regenerated without storing the sessions.
#[derive(Clone, Debug)]
pub(crate) struct History {
    email: String,
    engagement: Engagement,
    seed: u64,
    /// Offset of the user's working day from UTC, in seconds, without daylight saving time.
    utc_offset: i64,
    /// First and last local day (days since 1970-01-01) on which the pattern may sign in. The
    /// pattern is empty when `first_day > last_day`.
    first_day: i64,
    last_day: i64,
    /// Sign-in days of the `Rare` pattern, ascending.
    rare_days: Vec<i64>,
    /// Pattern sessions, sign-outs and meetings at or after this instant are dropped.
    pattern_end: i64,
    /// The app client, e.g. "6.3.11.60501(mac)", or `None` for users of the web client only.
    app_client: Option<String>,
    pinned: Vec<PinnedSignIn>,
    added_meetings: Vec<MockMeeting>,
}

impl History {
    /// Builds the history of a generated user who follows `engagement` within `window`.
    pub fn generated(
        email: &str,
        engagement: Engagement,
        seed: u64,
        timezone: &str,
        window: PatternWindow,
        app_client: Option<String>,
    ) -> History {
        let utc_offset = utc_offset(timezone);
        let local_day = |second: i64| (second + utc_offset).div_euclid(DAY);
        // Two days after `after`, so that no sign-in can precede it whatever the offset, and
        // at most 365 days before `end`.
        let first_day = (local_day(window.after) + 2).max(local_day(window.end) - 365);
        let last_day = local_day(window.until.min(window.end));
        let mut history = History {
            email: email.to_owned(),
            engagement,
            seed,
            utc_offset,
            first_day,
            last_day,
            rare_days: Vec::new(),
            pattern_end: window.end,
            app_client,
            pinned: Vec::new(),
            added_meetings: Vec::new(),
        };
        if engagement == Engagement::Rare {
            history.rare_days = rare_days(seed, first_day, last_day);
        }
        history
    }

    /// Builds a history without pattern sign-ins, for users added by tests.
    pub fn empty(email: &str, app_client: Option<String>) -> History {
        let seed = email
            .to_lowercase()
            .bytes()
            .fold(0xCBF2_9CE4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3)
            });
        History {
            email: email.to_owned(),
            engagement: Engagement::Never,
            seed,
            utc_offset: 0,
            first_day: 1,
            last_day: 0,
            rare_days: Vec::new(),
            pattern_end: i64::MIN,
            app_client,
            pinned: Vec::new(),
            added_meetings: Vec::new(),
        }
    }

    pub fn email(&self) -> &str {
        &self.email
    }

    pub fn engagement(&self) -> Engagement {
        self.engagement
    }

    /// Adds a sign-in at `at`, with a sign-out 30 minutes to 3 hours later when `signs_out`.
    pub fn pin_sign_in(&mut self, at: i64, signs_out: bool) {
        self.pinned.push(PinnedSignIn { at, signs_out });
    }

    pub fn add_meeting(&mut self, meeting: MockMeeting) {
        self.added_meetings.push(meeting);
    }

    fn local_day(&self, second: i64) -> i64 {
        (second + self.utc_offset).div_euclid(DAY)
    }

    fn has_pattern(&self) -> bool {
        self.engagement != Engagement::Never && self.first_day <= self.last_day
    }

    /// Returns the first and last local day with a sign-in, or `None` when there is none.
    fn day_span(&self) -> Option<(i64, i64)> {
        let pinned_days = self.pinned.iter().map(|pinned| self.local_day(pinned.at));
        let pattern_days = self
            .has_pattern()
            .then_some([self.first_day, self.last_day])
            .into_iter()
            .flatten();
        let days: Vec<i64> = pinned_days.chain(pattern_days).collect();
        Some((*days.iter().min()?, *days.iter().max()?))
    }

    /// Returns whether the pattern signs in on local `day`.
    fn pattern_signs_in(&self, day: i64) -> bool {
        if !self.has_pattern() || day < self.first_day || day > self.last_day {
            return false;
        }
        // Monday is 0. Day 0, 1970-01-01, was a Thursday.
        let weekday = (day + 3).rem_euclid(7);
        match self.engagement {
            Engagement::Daily => {
                let mut rng = DayRng::new(self.seed, Stream::DailyPattern, day);
                rng.chance(if weekday < 5 { 0.88 } else { 0.05 })
            }
            Engagement::Weekly => {
                let week = (day + 3).div_euclid(7);
                let mut rng = DayRng::new(self.seed, Stream::WeeklyPattern, week);
                let first = rng.range(0, 5);
                let second = (first + rng.range(1, 5)) % 5;
                let two_days = rng.chance(0.5);
                weekday == first || (two_days && weekday == second)
            }
            Engagement::Monthly => {
                let block = day.div_euclid(30);
                let offset = day.rem_euclid(30);
                let mut rng = DayRng::new(self.seed, Stream::MonthlyPattern, block);
                let count = rng.range(1, 4);
                let first = rng.range(0, 30);
                // Offsets 1..15 and 15..30 after the first never collide.
                let second = (first + rng.range(1, 15)) % 30;
                let third = (first + rng.range(15, 30)) % 30;
                [first, second, third][..count as usize].contains(&offset)
            }
            Engagement::Rare => self.rare_days.binary_search(&day).is_ok(),
            Engagement::Never => false,
        }
    }

    /// Returns the pattern's sign-in times on local `day`, ascending: 1 to 3 sign-ins from
    /// 07:00 local time, one to five hours apart.
    fn pattern_sign_ins(&self, day: i64) -> Vec<i64> {
        if !self.pattern_signs_in(day) {
            return Vec::new();
        }
        let mut rng = DayRng::new(self.seed, Stream::SignInTimes, day);
        let count = match rng.range(0, 100) {
            0..72 => 1,
            72..92 => 2,
            _ => 3,
        };
        let mut local = 7 * HOUR + rng.range(0, 3 * HOUR + 30 * MINUTE);
        let mut times = Vec::with_capacity(count);
        for _ in 0..count {
            if local >= 23 * HOUR {
                break;
            }
            let at = day * DAY + local - self.utc_offset;
            if at >= self.pattern_end {
                break;
            }
            times.push(at);
            local += rng.range(HOUR, 5 * HOUR);
        }
        times
    }

    /// Returns every sign-in time on local `day`, ascending.
    fn sign_ins_on(&self, day: i64) -> Vec<i64> {
        let mut times = self.pattern_sign_ins(day);
        times.extend(
            self.pinned
                .iter()
                .filter(|pinned| self.local_day(pinned.at) == day)
                .map(|pinned| pinned.at),
        );
        times.sort_unstable();
        times
    }

    /// Returns the sessions that start on local `day`, ascending by sign-in.
    fn sessions_on(&self, day: i64) -> Vec<Session> {
        let times = self.pattern_sign_ins(day);
        let mut sessions = Vec::with_capacity(times.len());
        for (index, &sign_in) in times.iter().enumerate() {
            // A session ends before the next sign-in, or before 23:55 local time.
            let day_close = day * DAY + 23 * HOUR + 55 * MINUTE - self.utc_offset;
            let next = times.get(index + 1).copied().unwrap_or(day_close);
            sessions.push(self.pattern_session(day, index as i64, sign_in, next));
        }
        for pinned in &self.pinned {
            if self.local_day(pinned.at) == day {
                sessions.push(self.pinned_session(pinned));
            }
        }
        sessions.sort_by_key(|session| session.sign_in);
        sessions
    }

    fn pattern_session(&self, day: i64, index: i64, sign_in: i64, next: i64) -> Session {
        let mut rng = DayRng::new(self.seed, Stream::SessionDetails, day * 4 + index);
        let drawn_length = match rng.range(0, 10) {
            0..3 => rng.range(15 * MINUTE, 90 * MINUTE),
            3..8 => rng.range(90 * MINUTE, 5 * HOUR),
            _ => rng.range(5 * HOUR, 9 * HOUR),
        };
        let length = drawn_length
            .min(next - sign_in - 5 * MINUTE)
            .max(5 * MINUTE);
        let signs_out = rng.chance(0.8);
        let web = self.app_client.is_none() || rng.chance(0.2);
        let office = rng.chance(0.7);
        let sign_out =
            (signs_out && sign_in + length < self.pattern_end).then_some(sign_in + length);

        let mut meetings = Vec::new();
        let mut meeting_rng = DayRng::new(self.seed, Stream::MeetingDetails, day * 4 + index);
        if meeting_rng.chance(self.engagement.meeting_rate()) {
            let count = if meeting_rng.chance(0.25) { 2 } else { 1 };
            let mut start = sign_in + meeting_rng.range(2 * MINUTE, 20 * MINUTE);
            for _ in 0..count {
                let minutes = meeting_rng.range(10, 76);
                let participants = match meeting_rng.range(0, 10) {
                    0 => 1,
                    1..7 => meeting_rng.range(2, 7),
                    _ => meeting_rng.range(7, 16),
                };
                if start >= self.pattern_end {
                    break;
                }
                meetings.push(MockMeeting {
                    start: timestamp(start),
                    minutes: minutes as u32,
                    participants: participants as u32,
                });
                start += minutes * MINUTE + meeting_rng.range(5 * MINUTE, 90 * MINUTE);
            }
        }

        Session {
            sign_in,
            sign_out,
            web,
            office,
            meetings,
        }
    }

    fn pinned_session(&self, pinned: &PinnedSignIn) -> Session {
        let mut rng = DayRng::new(self.seed, Stream::PinnedSession, pinned.at);
        let length = rng.range(30 * MINUTE, 3 * HOUR);
        let web = self.app_client.is_none() || rng.chance(0.2);
        let office = rng.chance(0.7);
        Session {
            sign_in: pinned.at,
            sign_out: pinned.signs_out.then_some(pinned.at + length),
            web,
            office,
            meetings: Vec::new(),
        }
    }

    /// Returns the sessions that start on the local days touching `from..=to`, so that every
    /// entry and meeting within that time is among them.
    fn sessions_near(&self, from: i64, to: i64) -> Vec<Session> {
        let Some((low, high)) = self.day_span() else {
            return Vec::new();
        };
        let first = (self.local_day(from) - 1).max(low);
        let last = (self.local_day(to) + 1).min(high);
        (first..=last)
            .flat_map(|day| self.sessions_on(day))
            .collect()
    }

    fn all_sessions(&self) -> Vec<Session> {
        let Some((low, high)) = self.day_span() else {
            return Vec::new();
        };
        (low..=high).flat_map(|day| self.sessions_on(day)).collect()
    }

    /// Returns every sign-in time, oldest first.
    pub fn sign_ins(&self) -> Vec<Timestamp> {
        let Some((low, high)) = self.day_span() else {
            return Vec::new();
        };
        (low..=high)
            .flat_map(|day| self.sign_ins_on(day))
            .map(timestamp)
            .collect()
    }

    /// Returns every hosted meeting, oldest first.
    pub fn meetings(&self) -> Vec<MockMeeting> {
        let mut meetings: Vec<MockMeeting> = self
            .all_sessions()
            .into_iter()
            .flat_map(|session| session.meetings)
            .chain(self.added_meetings.iter().copied())
            .collect();
        meetings.sort_by_key(|meeting| meeting.start);
        meetings
    }

    /// Returns the meetings that started between `from` and `to` (inclusive), oldest first.
    pub fn meetings_between(&self, from: Timestamp, to: Timestamp) -> Vec<MockMeeting> {
        let mut meetings: Vec<MockMeeting> = self
            .sessions_near(from.as_second(), to.as_second())
            .into_iter()
            .flat_map(|session| session.meetings)
            .chain(self.added_meetings.iter().copied())
            .filter(|meeting| from <= meeting.start && meeting.start <= to)
            .collect();
        meetings.sort_by_key(|meeting| meeting.start);
        meetings
    }

    /// Appends the entries between `from` and `to` (inclusive) to `rows`, oldest first, in the
    /// compact form that report caches keep.
    pub fn log_rows_between(&self, from: Timestamp, to: Timestamp, rows: &mut Vec<LogRow>) {
        let (from, to) = (from.as_second(), to.as_second());
        let sessions = self.sessions_near(from, to);
        if sessions.is_empty() {
            return;
        }
        let strings = self.shared_strings();
        let mut own_rows = Vec::new();
        for session in &sessions {
            self.push_session_rows(session, &strings, &mut own_rows);
        }
        own_rows.retain(|row| (from..=to).contains(&row.time.as_second()));
        own_rows.sort_by_key(|row| row.time);
        rows.append(&mut own_rows);
    }

    /// Returns every entry, oldest first.
    pub fn all_entries(&self) -> Vec<ActivityEntry> {
        let strings = self.shared_strings();
        let mut rows = Vec::new();
        for session in &self.all_sessions() {
            self.push_session_rows(session, &strings, &mut rows);
        }
        rows.sort_by_key(|row| row.time);
        rows.iter().map(LogRow::to_entry).collect()
    }

    /// Builds the strings that every entry of this user shares.
    fn shared_strings(&self) -> SharedStrings {
        let (app_client_type, app_version) = match &self.app_client {
            Some(client) => split_client_version(client),
            None => ("Browser", WEB_CLIENT_VERSION),
        };
        SharedStrings {
            email: Arc::from(self.email.as_str()),
            app_client_type,
            app_version: Arc::from(app_version),
            web_version: Arc::from(WEB_CLIENT_VERSION),
            office_ip: Arc::from(format!("192.0.2.{}", 1 + self.seed % 200)),
            home_ip: Arc::from(format!("198.51.100.{}", 1 + (self.seed >> 8) % 250)),
        }
    }

    fn push_session_rows(
        &self,
        session: &Session,
        strings: &SharedStrings,
        rows: &mut Vec<LogRow>,
    ) {
        let (client_type, version) = match (&self.app_client, session.web) {
            (Some(_), false) => (strings.app_client_type, &strings.app_version),
            _ => ("Browser", &strings.web_version),
        };
        let ip_address = if session.office {
            &strings.office_ip
        } else {
            &strings.home_ip
        };
        let row = |time: i64, kind: ActivityKind| LogRow {
            time: timestamp(time),
            kind,
            email: strings.email.clone(),
            client_type,
            version: version.clone(),
            ip_address: ip_address.clone(),
        };
        rows.push(row(session.sign_in, ActivityKind::SignIn));
        if let Some(sign_out) = session.sign_out {
            rows.push(row(sign_out, ActivityKind::SignOut));
        }
    }

    /// Returns the `last_login_time` that Zoom would show: it follows sign-ins, except that a
    /// sign-in less than three days after the shown one leaves it unchanged.
    pub fn zoom_last_login(&self) -> Option<i64> {
        let (low, high) = self.day_span()?;
        // Scans newest first until it finds a sign-in that follows a gap of at least three
        // days. That sign-in updated `last_login_time` whatever came before it, so the rule
        // only needs replaying from there.
        let mut newest_first: Vec<i64> = Vec::new();
        for day in (low..=high).rev() {
            for time in self.sign_ins_on(day).into_iter().rev() {
                let follows_gap = newest_first
                    .last()
                    .is_some_and(|&newer| newer - time >= LAST_LOGIN_BUFFER);
                if follows_gap {
                    return replay_last_login(&newest_first);
                }
                newest_first.push(time);
            }
        }
        replay_last_login(&newest_first)
    }
}

/// Replays Zoom's three-day buffer over sign-ins given newest first, whose oldest updated
/// `last_login_time`.
fn replay_last_login(newest_first: &[i64]) -> Option<i64> {
    let mut oldest_first = newest_first.iter().rev();
    let mut last_login = *oldest_first.next()?;
    for &time in oldest_first {
        if time - last_login >= LAST_LOGIN_BUFFER {
            last_login = time;
        }
    }
    Some(last_login)
}

/// Draws the sign-in days of a `Rare` user: one day every 60 to 120 days.
fn rare_days(seed: u64, first_day: i64, last_day: i64) -> Vec<i64> {
    let mut rng = DayRng::new(seed, Stream::RarePattern, 0);
    let mut days = Vec::new();
    let mut day = first_day + rng.range(0, 120);
    while day <= last_day {
        days.push(day);
        day += rng.range(60, 121);
    }
    days
}

/// Returns the UTC offset of the mock's time zones in seconds, ignoring daylight saving time.
fn utc_offset(timezone: &str) -> i64 {
    let hours = match timezone {
        "America/New_York" => -5,
        "America/Los_Angeles" => -8,
        "Europe/Berlin" => 1,
        "Asia/Tokyo" => 9,
        _ => 0,
    };
    hours * HOUR
}

/// Splits a Zoom client version such as "6.3.11.60501(mac)" into the activity report's
/// client type ("Mac") and version ("6.3.11.60501").
fn split_client_version(client: &str) -> (&'static str, &str) {
    let (version, platform) = match client.split_once('(') {
        Some((version, rest)) => (version, rest.trim_end_matches(')')),
        None => (client, ""),
    };
    let client_type = match platform {
        "mac" => "Mac",
        "win" => "Windows",
        "linux" => "Linux",
        "ios" => "iOS",
        "android" => "Android",
        _ => "Browser",
    };
    (client_type, version)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_773_273_600; // 2026-03-12T00:00:00Z, a Thursday

    fn history(engagement: Engagement, seed: u64) -> History {
        let window = PatternWindow {
            after: NOW - 400 * DAY,
            until: NOW,
            end: NOW,
        };
        History::generated(
            "someone@example.test",
            engagement,
            seed,
            "UTC",
            window,
            Some("6.3.11.60501(mac)".to_owned()),
        )
    }

    fn sign_in_days(history: &History) -> Vec<i64> {
        let mut days: Vec<i64> = history
            .sign_ins()
            .iter()
            .map(|time| time.as_second().div_euclid(DAY))
            .collect();
        days.dedup();
        days
    }

    #[test]
    fn daily_pattern_signs_in_on_most_weekdays() {
        let days = sign_in_days(&history(Engagement::Daily, 3));
        let weekdays = days
            .iter()
            .filter(|day| (*day + 3).rem_euclid(7) < 5)
            .count();

        assert!((200..=250).contains(&weekdays), "{weekdays} weekdays");
        assert!(
            days.len() - weekdays < 15,
            "{} weekend days",
            days.len() - weekdays
        );
    }

    #[test]
    fn weekly_pattern_fills_each_week() {
        let days = sign_in_days(&history(Engagement::Weekly, 4));
        let mut per_week = std::collections::HashMap::<i64, usize>::new();
        for day in &days {
            *per_week.entry((day + 3).div_euclid(7)).or_default() += 1;
        }

        assert!(per_week.values().all(|count| (1..=2).contains(count)));
        assert!(per_week.len() >= 50, "{} weeks", per_week.len());
    }

    #[test]
    fn monthly_and_rare_patterns_are_sparse() {
        let monthly = sign_in_days(&history(Engagement::Monthly, 5)).len();
        let rare = sign_in_days(&history(Engagement::Rare, 6)).len();

        assert!((12..=37).contains(&monthly), "{monthly} monthly days");
        assert!((3..=7).contains(&rare), "{rare} rare days");
        assert!(sign_in_days(&history(Engagement::Never, 7)).is_empty());
    }

    #[test]
    fn sessions_end_before_now() {
        let history = history(Engagement::Daily, 8);
        let entries = history.all_entries();

        assert!(!entries.is_empty());
        assert!(entries.iter().all(|entry| entry.time.as_second() < NOW));
        assert!(
            history
                .meetings()
                .iter()
                .all(|meeting| meeting.start.as_second() < NOW)
        );
    }

    #[test]
    fn last_login_follows_buffer_rule() {
        let mut history = History::empty("a@example.test", None);
        history.pin_sign_in(NOW - 10 * DAY, false);
        history.pin_sign_in(NOW - 9 * DAY, false);
        assert_eq!(history.zoom_last_login(), Some(NOW - 10 * DAY));

        history.pin_sign_in(NOW - 7 * DAY, false);
        assert_eq!(history.zoom_last_login(), Some(NOW - 7 * DAY));
    }

    #[test]
    fn client_versions_split_into_type_and_version() {
        assert_eq!(
            split_client_version("6.3.6.56144(win)"),
            ("Windows", "6.3.6.56144")
        );
        assert_eq!(
            split_client_version("6.0.12.38570(android)"),
            ("Android", "6.0.12.38570")
        );
    }
}
