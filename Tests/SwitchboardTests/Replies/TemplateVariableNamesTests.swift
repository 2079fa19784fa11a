@testable import Replies
import SwitchboardCore
import Testing

@Suite("Template variable names")
struct TemplateVariableNamesTests {
    @Test("documented names pass", arguments: [["progress", "new_time"], ["order.eta", "order.id", "_x", "a.b.c.d"], ["ticket-2"], []])
    func valid(names: [String]) throws {
        try TemplateVariableNames.validate(names)
    }

    @Test("a name outside the rules is refused, naming it", arguments: [
        ("", "is empty"),
        ("a.", "ends with a dot"),
        (".a", "empty part"),
        ("a..b", "empty part"),
        ("a.b.c.d.e", "more than 4"),
        ("1st", "does not start with a letter"),
        ("a.2", "does not start with a letter"),
        ("进度", "ASCII letters"),
        ("a b", "ASCII letters"),
        ("a\nb", "ASCII letters"),
        (String(repeating: "x", count: 65), "at most 64 bytes"),
    ])
    func invalid(name: String, problem: String) {
        let error = #expect(throws: SwitchboardError.self) { try TemplateVariableNames.validate([name]) }
        #expect(error?.code == .invalidVariable)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "-")")
        #expect(error?.message.contains("\n") == false)
    }

    @Test("a name that is also another's parent is refused: one value would replace the other")
    func collision() {
        let error = #expect(throws: SwitchboardError.self) { try TemplateVariableNames.validate(["progress", "progress.x"]) }
        #expect(error?.code == .invalidVariable)
        #expect(error?.message.contains("'progress'") == true)
        #expect(error?.message.contains("'progress.x'") == true)
        #expect(throws: SwitchboardError.self) { try TemplateVariableNames.validate(["a.b.c", "a"]) }
        try? TemplateVariableNames.validate(["a.b", "a.c", "ab"])
        #expect((try? TemplateVariableNames.validate(["a.b", "a.c", "ab"])) != nil)
    }

    @Test("100,000 dots are refused by their length alone, and the message quotes only the start")
    func manyDots() {
        let name = String(repeating: "a.", count: 100_000) + "b"
        let error = #expect(throws: SwitchboardError.self) { try TemplateVariableNames.validate([name]) }
        #expect(error?.message.contains("at most 64 bytes") == true)
        #expect((error?.message.count ?? .max) < 200)
    }

    @Test("more variables than the limit are refused")
    func tooMany() {
        let names = (0...TemplateVariableNames.maximumCount).map { "v\($0)" }
        let error = #expect(throws: SwitchboardError.self) { try TemplateVariableNames.validate(names) }
        #expect(error?.message.contains("at most \(TemplateVariableNames.maximumCount)") == true)
    }
}
