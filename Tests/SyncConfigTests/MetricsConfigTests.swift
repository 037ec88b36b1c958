import ProviderCatalog
import SyncConfig
import Testing

@Suite("Config: [metrics] listen")
struct MetricsConfigTests {
    let file = "/etc/tasksync/tasksync.toml"

    /// The two-provider config with a `[metrics]` table at its end, and the line `listen` is on.
    func config(_ lines: String) -> (text: String, line: Int) {
        let base = twoProviderConfig()
        return (base + "\n[metrics]\n" + lines + "\n", base.split(separator: "\n", omittingEmptySubsequences: false).count + 2)
    }

    func listen(_ value: String) throws -> MetricsSettings? {
        try ConfigLoader.parse(config("listen = \(value)").text, source: file).metrics
    }

    @Test("no [metrics] table: no endpoint; a port alone is served on 127.0.0.1; an address other than loopback only as written")
    func parsed() throws {
        #expect(try ConfigLoader.parse(twoProviderConfig(), source: file).metrics == nil)
        #expect(try listen("\"127.0.0.1:9464\"") == MetricsSettings(host: "127.0.0.1", port: 9464))
        #expect(try listen("\"9464\"") == MetricsSettings(host: "127.0.0.1", port: 9464))
        #expect(try listen("9464") == MetricsSettings(host: "127.0.0.1", port: 9464))
        #expect(try listen("\":9464\"") == MetricsSettings(host: "127.0.0.1", port: 9464))
        #expect(try listen("\"localhost:9100\"") == MetricsSettings(host: "127.0.0.1", port: 9100))
        #expect(try listen("\"[::1]:9464\"") == MetricsSettings(host: "::1", port: 9464))
        #expect(try listen("\"127.0.0.1:9464\"")?.isLoopback == true)
        #expect(try listen("\"[::1]:9464\"")?.isLoopback == true)
        let everywhere = try #require(try listen("\"0.0.0.0:9464\""))
        #expect(everywhere.host == "0.0.0.0" && !everywhere.isLoopback)
        let lan = try #require(try listen("\"192.168.1.20:9464\""))
        #expect(lan.description == "192.168.1.20:9464" && !lan.isLoopback)
        #expect(try listen("\"[::]:9464\"")?.isLoopback == false)
        #expect(try listen("\"[::]:9464\"")?.description == "[::]:9464")
    }

    @Test("bad listen values are rejected with the file, the key, the value and the line")
    func rejected() {
        func error(_ value: String) -> String {
            let (text, line) = config("listen = \(value)")
            let errors = configErrors(text, source: file)
            #expect(errors.count == 1, "\(errors)")
            let first = errors.first ?? ""
            #expect(first.hasPrefix("\(file): metrics.listen: "), "\(first)")
            #expect(first.hasSuffix("(line \(line))"), "\(first)")
            return first
        }
        #expect(error("\"\"").contains("expected \"PORT\", \"HOST:PORT\" or \"[IPv6]:PORT\""))
        #expect(error("\"127.0.0.1\"").contains("\"127.0.0.1\": expected \"PORT\", \"HOST:PORT\" or \"[IPv6]:PORT\""))
        #expect(error("\"127.0.0.1:\"").contains("no port in '127.0.0.1:'"))
        #expect(error("\"127.0.0.1:http\"").contains("no port"))
        #expect(error("\"127.0.0.1:99999\"").contains("port 99999: expected 1024 to 65535"))
        #expect(error("\"127.0.0.1:80\"").contains("port 80: expected 1024 to 65535 (the service has no capability to bind a lower port)"))
        #expect(error("0").contains("port 0: expected 1024 to 65535"))
        #expect(error("\"metrics.example.com:9464\"").contains("'metrics.example.com' is not an IP address"))
        #expect(error("\"256.1.1.1:9464\"").contains("'256.1.1.1' is not an IP address"))
        #expect(error("\"::1:9464\"").contains("an IPv6 address goes in brackets, like \"[::1]:9464\""))
        #expect(error("\"[::1]\"").contains("needs \":PORT\" after it"))
        #expect(error("\"[nope]:9464\"").contains("'nope' is not an IPv6 address"))
        #expect(error("true").contains("expected a string like \"127.0.0.1:9464\" or a port, found"))
    }

    @Test("[metrics] without listen, with an unknown key, or not a table: each an error naming the key")
    func tableErrors() {
        let (noListen, line) = config("")
        #expect(
            configErrors(noListen, source: file) == [
                "\(file): metrics.listen: is required: the address to serve GET /metrics on, like \"127.0.0.1:9464\" (or remove [metrics]) (line \(line - 1))"
            ])
        let (unknown, _) = config("listen = \"9464\"\nport = 9464")
        #expect(configErrors(unknown, source: file).first?.hasPrefix("\(file): metrics.port: unknown key (expected one of: listen)") == true)
        #expect(configErrors("metrics = \"9464\"\n" + twoProviderConfig(), source: file) == ["\(file): metrics: expected a table ([metrics]) (line 1)"])
    }
}
