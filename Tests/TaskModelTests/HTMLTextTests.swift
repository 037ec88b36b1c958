import TaskModel
import Testing

@Suite("Descriptions normalise so a round trip changes nothing (rule 9)")
struct HTMLTextTests {
    @Test(
        "spellings of the same text compare equal",
        arguments: [
            ("<p>a<br/>b</p>", "<p>a<br>b</p>"),
            ("<P>It&#39;s</P>", "<p>It's</p>"),
            ("plain text", "<p>plain text</p>"),
            ("Tom & Jerry", "<p>Tom &amp; Jerry</p>"),
            ("<p>x</p>\n<p>y</p>", "<p>x</p><p>y</p>"),
            ("  <p> spaced </p> ", "<p>spaced</p>"),
            ("<p>&quot;q&quot; &#8212; dash</p>", "<p>\"q\" — dash</p>"),
        ])
    func equivalent(_ a: String, _ b: String) {
        #expect(HTMLText.normalize(a) == HTMLText.normalize(b))
    }

    @Test(
        "normalising twice is normalising once",
        arguments: [
            "<p>Hello <b>World</b></p>", "Line 1\nLine 2\n\nPara", "<ul><li>a</li> <li>b</li></ul>", "5 < 6 && 7 > 3",
            "<p>日本語 🍣 &amp; emoji</p>", "", "<br />", "&nbsp;x&nbsp;",
        ])
    func idempotent(_ s: String) {
        let once = HTMLText.normalize(s)
        #expect(HTMLText.normalize(once) == once)
    }

    @Test("text inside inline tags keeps its spaces")
    func inlineSpaces() {
        #expect(HTMLText.normalize("<p><b>a</b> <i>b</i></p>") == "<p><b>a</b> <i>b</i></p>")
    }
}
