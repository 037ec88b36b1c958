import ProviderCatalog
import SyncConfig
import Testing

/// A provider belongs to one link, and one account and scope is one provider.
@Suite("Link membership")
struct LinkMembershipTests {
    static let secondBoard = """
        [[provider]]
        name = "c"
        kind = "helpspace"
        board_id = 1
        client_id = "other"
        token_file = "/t2"
        """

    @Test("a link of up to five members, in order: the order is kept for ties")
    func orderKept() throws {
        let text = twoProviderConfig(productive: Self.secondBoard.replacingOccurrences(of: "board_id = 1", with: "board_id = 2"))
            .replacingOccurrences(of: "members = [\"a\", \"b\"]", with: "members = [\"c\", \"a\", \"b\"]")
        let c = try ConfigLoader.parse(text, source: "x.toml")
        #expect(c.links.first?.members == ["c", "a", "b"])
    }

    @Test("a provider in two links is refused, and the message says why and what to do instead")
    func providerInTwoLinks() {
        let text = twoProviderConfig(
            link: "\n[[link]]\nname = \"m\"\nmembers = [\"a\", \"c\"]\n" + Self.secondBoard.replacingOccurrences(of: "board_id = 1", with: "board_id = 2"))
        let errors = configErrors(text)
        #expect(
            errors.contains { $0.contains("link[1] (m).members: 'a' is already in link 'l'") && $0.contains("one link of up to five members") }, "\(errors)")
    }

    @Test("the same board under two provider names is refused: it would be copied into itself")
    func sameScopeTwice() {
        let text = twoProviderConfig(productive: Self.secondBoard).replacingOccurrences(of: "members = [\"a\", \"b\"]", with: "members = [\"a\", \"b\", \"c\"]")
        let errors = configErrors(text)
        #expect(
            errors.contains { $0.contains("provider[2] (c).name: the same HelpSpace account and scope as provider 'a' (same base_url and board_id)") },
            "\(errors)")
    }
}
