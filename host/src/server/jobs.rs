//! Background syncs started from the web UI, with progress the UI polls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::app::App;
use crate::store::SyncRun;
use crate::sync::{sync_connection, ActivityOutcome, Progress};

/// The state of a background sync: running now, or the last one's outcome.
#[derive(Debug, Clone, Default, Serialize)]
pub struct JobState {
    pub running: bool,
    /// Empty before the first sync, then "starting", "users", "activity" and "done".
    pub phase: String,
    pub fetched: u64,
    pub total: Option<u64>,
    /// One-line outcome of the last finished sync.
    pub message: Option<String>,
    pub failed: bool,
}

/// Background syncs by connection name.
#[derive(Default)]
pub struct SyncJobs {
    jobs: Mutex<HashMap<String, Arc<Mutex<JobState>>>>,
}

struct JobProgress(Arc<Mutex<JobState>>);

impl JobProgress {
    fn update(&self, change: impl FnOnce(&mut JobState)) {
        change(&mut self.0.lock().expect("job state lock is never poisoned"));
    }
}

impl Progress for JobProgress {
    fn started(&self, _connection: &str, _resumed: bool) {
        self.update(|state| state.phase = "users".into());
    }

    fn page(&self, fetched: u64, total: Option<u64>) {
        self.update(|state| {
            state.fetched = fetched;
            state.total = total.map(|total| total.max(fetched));
        });
    }

    fn finished(&self, _run: &SyncRun) {
        self.update(|state| state.phase = "activity".into());
    }

    fn failed(&self) {}
}

impl SyncJobs {
    pub fn state(&self, name: &str) -> JobState {
        let jobs = self.jobs.lock().expect("jobs lock is never poisoned");
        jobs.get(name).map(|state| state.lock().expect("job state lock is never poisoned").clone()).unwrap_or_default()
    }

    /// Starts a sync of `name` in the background. Returns false when one is already running
    /// in this server.
    pub fn start(self: &Arc<Self>, app: Arc<App>, name: String) -> bool {
        let state = {
            let mut jobs = self.jobs.lock().expect("jobs lock is never poisoned");
            let state = jobs.entry(name.clone()).or_default().clone();
            let mut current = state.lock().expect("job state lock is never poisoned");
            if current.running {
                return false;
            }
            *current = JobState { running: true, phase: "starting".into(), ..JobState::default() };
            drop(current);
            state
        };

        tokio::spawn(async move {
            tracing::info!(connection = %name, "background sync started");
            let progress = JobProgress(state.clone());
            let result = sync_connection(&app, &name, &progress).await;
            let (message, failed) = match result {
                Ok(outcome) => {
                    let users = format!("synced {} users", outcome.users.run.users_seen);
                    match outcome.activity {
                        ActivityOutcome::Completed { run, .. } => (format!("{users}, {} new sign-ins", run.sign_ins_added), false),
                        ActivityOutcome::Partial { message, .. } => (format!("{users}; activity partial: {message}"), false),
                        ActivityOutcome::Failed { message, .. } => (format!("{users}; activity failed: {message}"), true),
                    }
                }
                Err(error) => (error.to_string(), true),
            };
            if failed {
                tracing::error!(connection = %name, error = %message, "background sync failed");
            } else {
                tracing::info!(connection = %name, outcome = %message, "background sync finished");
            }
            let mut current = state.lock().expect("job state lock is never poisoned");
            current.running = false;
            current.phase = "done".into();
            current.message = Some(message);
            current.failed = failed;
        });
        true
    }
}
