import AdapterSupport

/// ProofHub's global labels (`v3/labels`), by id, for one adapter: tags are
/// label names on the canonical side and label ids on ProofHub's.
///
/// Contract:
/// - ``prepare()`` loads every label, once per cycle.
/// - ``names(for:)`` answers the names it knows. When asked for an id it does
///   not know, it loads the labels again, at most once between two
///   ``prepare()`` calls (a label someone made since); an id still unknown
///   stays unknown, and the caller makes that task's tags unknown.
/// - ``ids(for:)`` gives the label of each tag by exact name (the lowest id
///   when two labels share a name); a tag with no label gets one, created
///   once (`POST v3/labels`) and reused from then on. Two callers asking for
///   the same new tag at once share one request.
/// - Used before any ``prepare()``, it loads the labels on first use.
actor ProofHubLabels {
    let client: APIClient
    private var names: [Int64: String] = [:]
    private var loaded = false
    /// A load for an unknown id is still allowed this cycle.
    private var mayReload = false
    private var loading: Task<([Int64: String], Int), any Error>?
    private var creating: [String: Task<Int64, any Error>] = [:]
    /// Label list requests made since the caller last took the count.
    private var requests = 0

    init(client: APIClient) { self.client = client }

    func prepare() async throws {
        try await load()
        mayReload = true
    }

    /// Label names by id, covering `ids` where ProofHub has them.
    func names(for ids: Set<Int64>) async throws -> [Int64: String] {
        if ids.isEmpty { return names }
        if !loaded {
            try await load()
        } else if mayReload, !ids.allSatisfy({ names[$0] != nil }) {
            mayReload = false
            try await load()
        }
        return names
    }

    /// The names known now, without a request.
    func known() -> [Int64: String] { names }

    /// The label id of each tag, creating the labels that do not exist.
    func ids(for tags: [String]) async throws -> [Int64] {
        if !loaded { try await load() }
        var out: [Int64] = []
        for tag in tags {
            if let id = existing(tag) {
                out.append(id)
                continue
            }
            let task: Task<Int64, any Error>
            if let pending = creating[tag] {
                task = pending
            } else {
                let client = client
                task = Task { try await Self.create(tag, client: client) }
                creating[tag] = task
            }
            do {
                let id = try await task.value
                names[id] = names[id] ?? tag
                creating[tag] = nil
                out.append(id)
            } catch {
                creating[tag] = nil
                throw error
            }
        }
        return out
    }

    /// Label list requests made since the last call (for a listing's request count).
    func takeRequestCount() -> Int {
        defer { requests = 0 }
        return requests
    }

    private func existing(_ name: String) -> Int64? {
        names.filter { $0.value == name }.keys.min()
    }

    private func load() async throws {
        if let loading {
            names = try await loading.value.0
            return
        }
        let client = client
        let task = Task { try await Self.fetchAll(client: client) }
        loading = task
        defer { loading = nil }
        let (fetched, count) = try await task.value
        requests += count
        names = fetched
        loaded = true
    }

    /// Every label, paged with `start` and `limit` like every list. A label
    /// that does not parse is left out: a task that has it reads with its
    /// tags unknown.
    private static func fetchAll(client: APIClient) async throws -> ([Int64: String], Int) {
        let pages = try await fetchOffsetPages(limit: ProofHubValues.pageLimit, maxLimit: ProofHubValues.pageLimit) { start, limit in
            let response = try await client.call("GET", "/labels", query: [("start", String(start)), ("limit", String(limit))])
            return try response.decode([Lenient<PHLabel>].self, what: "labels from \(start)")
        }
        var names: [Int64: String] = [:]
        for label in pages.partitioned().values {
            if let id = label.id.int64 { names[id] = label.name.trimmingWhitespace() }
        }
        return (names, pages.requestCount)
    }

    /// `POST v3/labels` with the name: sent once, never repeated by the transport.
    private static func create(_ name: String, client: APIClient) async throws -> Int64 {
        let response = try await client.call("POST", "/labels", body: .json(.object(["name": .string(name)])))
        let label = try response.decode(PHLabel.self, what: "created label '\(name)'")
        guard let id = label.id.int64 else { throw ProviderError.malformed("created label '\(name)': id '\(label.id.value)'") }
        return id
    }
}
