//! The web UI: two pages and their script and stylesheet, compiled into the binary so the
//! server needs no files and no CDN. The pages read everything from the JSON API.

use std::sync::Arc;

use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;

use super::ServerState;

const APPS_PAGE: &str = include_str!("assets/apps.html");
const APP_PAGE: &str = include_str!("assets/app.html");
const SCRIPT: &str = include_str!("assets/roster.js");
const STYLES: &str = include_str!("assets/roster.css");

async fn apps_page() -> Html<&'static str> {
    Html(APPS_PAGE)
}

async fn app_page() -> Html<&'static str> {
    Html(APP_PAGE)
}

async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

async fn styles() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLES)
}

pub fn routes() -> Router<Arc<ServerState>> {
    Router::new()
        .route("/", get(apps_page))
        .route("/apps/{name}", get(app_page))
        .route("/assets/roster.js", get(script))
        .route("/assets/roster.css", get(styles))
}
