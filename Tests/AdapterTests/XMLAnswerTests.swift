import AdapterSupport
import Testing

@Suite("XML answers (ActiveCollab's legacy API)")
struct XMLAnswerTests {
    @Test("a task list as the document shows it: CDATA around white space, ids, several tasks")
    func taskList() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <tasks>
              <task> <id>12</id> <name> <![CDATA[Task example]]> </name> <due_on><![CDATA[2012-07-25]]></due_on> </task>
              <!-- a comment -->
              <task> <id>13</id> <name> <![CDATA[ Some <b>task</b> ]]> </name> <body/> </task>
            </tasks>
            """
        let root = try XMLAnswer.parse(Array(xml.utf8))
        #expect(root.name == "tasks")
        let tasks = root.children("task")
        #expect(tasks.map { $0["id"] } == ["12", "13"])
        #expect(tasks.map { $0["name"] } == ["Task example", " Some <b>task</b> "])
        #expect(tasks[0]["due_on"] == "2012-07-25")
        #expect(tasks[1]["body"] == "")
        #expect(tasks[1]["missing"] == nil)
    }

    @Test("entities, character references and attributes")
    func entities() throws {
        let root = try XMLAnswer.parse(Array(#"<a kind='x &amp; y' n="1">Tom &amp; Jerry &lt;3 &#233;&#x1F680; &quot;q&apos;</a>"#.utf8))
        #expect(root.text == "Tom & Jerry <3 é🚀 \"q'")
        #expect(root.attributes == ["kind": "x & y", "n": "1"])
    }

    @Test(
        "XML that is not well formed, or has a DOCTYPE, is refused",
        arguments: [
            "<a><b></a></b>", "<a>", "<a>x</a><b/>", "<a>&nope;</a>", #"<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>"#, "",
            "<a x=1/>", "<a x='1' x='2'/>", "<a><![CDATA[x</a>",
        ])
    func refused(_ xml: String) {
        #expect(throws: XMLAnswer.Failure.self) { _ = try XMLAnswer.parse(Array(xml.utf8)) }
    }

    @Test("a response that is not XML is a malformed answer")
    func malformedResponse() {
        #expect(throws: ProviderError.malformed("task 14: XML: expected the root element at byte 0")) {
            _ = try HTTPResponse(status: 200, body: Array("{}".utf8)).xml(what: "task 14")
        }
    }
}
