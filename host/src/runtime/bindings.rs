//! Host bindings generated from `wit/` for the `connector-world` world.

wasmtime::component::bindgen!({
    world: "connector-world",
    path: "../wit",
    imports: {
        // `send` traps only when the connector passes its per-call request budget; every
        // other failure returns to the connector as an `http-error`.
        "roster:connector/http.send": async | trappable,
        "roster:connector/storage": async,
        "roster:connector/secrets": async,
    },
    exports: { default: async },
    // The host stores `describe()` output as JSON and reads it back to route requests.
    additional_derives: [serde::Serialize, serde::Deserialize],
});
