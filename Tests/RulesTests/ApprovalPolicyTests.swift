import Foundation
import Rules
import StrictYAML
import TestSupport
import Testing

@Suite("Approval policy")
struct ApprovalPolicyTests {
    let policy = ApprovalPolicy(threshold: "500", currency: "CNY", amountVariables: ["amount", "compensation"], rates: ["USD": "7.2"])!

    @Test("exactly the threshold is allowed, anything above needs approval")
    func threshold() {
        #expect(policy.check(text: "退款500元") == .allowed(largest: policy.extractor.amounts(in: "退款500元").first))
        #expect(!policy.check(text: "退款500.00元").needsApproval)
        #expect(policy.check(text: "退款500.01元").needsApproval)
        #expect(policy.check(text: "退款¥600").largest?.description == "600 CNY")
        #expect(policy.check(text: "没有金额") == .allowed(largest: nil))
    }

    @Test("the largest amount decides, after conversion")
    func largestConverted() {
        let verdict = policy.check(text: "先退50元，再退$80，另补¥300")
        #expect(verdict == .needsApproval(.aboveThreshold(policy.convert(policy.extractor.amounts(in: "先退50元，再退$80，另补¥300")[1])!)))
        #expect(verdict.largest?.description == "576 CNY")
        #expect(policy.check(text: "先退50元，再退$60，另补¥300").largest?.description == "432 CNY")
        #expect(!policy.check(text: "先退50元，再退$60，另补¥300").needsApproval)
        #expect(policy.check(text: "$70 now and $70 later").largest?.description == "504 CNY")
        #expect(policy.check(text: "$70 now and $70 later").needsApproval)
    }

    @Test("an amount in a currency without a rate is held")
    func noRate() {
        let verdict = policy.check(text: "refund €1 and ¥10")
        guard case let .needsApproval(.noRate(amount)) = verdict else {
            Issue.record("expected noRate, got \(verdict)")
            return
        }
        #expect(amount.description == "1 EUR")
    }

    @Test("amount variables: bare numbers are in the base currency, anything but an amount is malformed")
    func amountVariables() {
        #expect(policy.check(text: "", variables: ["amount": "800"]).largest?.description == "800 CNY")
        #expect(policy.check(text: "", variables: ["amount": " 500 "]) == .allowed(largest: policy.extractor.wholeAmount("500", currency: "CNY")))
        #expect(policy.check(text: "", variables: ["compensation": "80 USD"]).largest?.description == "576 CNY")
        #expect(policy.check(text: "¥900", variables: ["amount": "lots"]) == .malformedAmount(variable: "amount"))
        #expect(policy.check(text: "", variables: ["compensation": "12abc"]) == .malformedAmount(variable: "compensation"))
        #expect(policy.check(text: "", variables: ["amount": ""]) == .malformedAmount(variable: "amount"))
        // Other variables are free text: a bare number in them is not an amount, a marked one is.
        #expect(policy.check(text: "", variables: ["order": "600123"]) == .allowed(largest: nil))
        #expect(policy.check(text: "", variables: ["note": "补偿¥900"]).needsApproval)
    }

    @Test("the shipped approval.yaml has the standards' values")
    func shipped() throws {
        let rules = try RuleSetLoader(directory: Fixtures.shippedRules).load()
        let approval = try #require(rules.approval)
        #expect(approval.threshold == 500)
        #expect(approval.currency == "CNY")
        #expect(approval.expiresAfter == 4 * 3600)
        #expect(approval.amountVariables == ["amount", "compensation"])
        #expect(approval.rateMicros["USD"] == 7_200_000)
        #expect(approval.check(text: "订单号 600123 元旦前发货") == .allowed(largest: nil))
    }

    @Test("without approval.yaml there are no approval rules")
    func absent() throws {
        let directory = try Fixtures.miniRuleDirectory()
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        #expect(try RuleSetLoader(directory: directory.path).load().approval == nil)
    }

    @Test("approval.yaml is part of the rules version")
    func versioned() throws {
        let directory = try Fixtures.miniRuleDirectory(overriding: ["approval.yaml": "threshold: 500\ncurrency: CNY\n"])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        let first = try RuleSetLoader(directory: directory.path).load()
        #expect(first.approval?.threshold == 500)
        try Fixtures.write(["approval.yaml": "threshold: 800\ncurrency: CNY\n"], under: directory)
        let second = try RuleSetLoader(directory: directory.path).load()
        #expect(first.version != second.version)
        #expect(second.approval?.threshold == 800)
        #expect(second.approval?.expiresAfter == ApprovalPolicy.defaultExpiresAfter)
    }

    /// Each broken file has exactly one problem, at a known line and column.
    static let broken: [(String, Int, Int, String)] = [
        ("threshold: 500\ncurrency: CNY\nthreshhold: 600\n", 3, 1, "unknown key 'threshhold'"),
        ("threshold: -5\ncurrency: CNY\n", 1, 12, "threshold must not be negative"),
        ("threshold: lots\ncurrency: CNY\n", 1, 12, "threshold 'lots' is not a number"),
        ("threshold: [500]\ncurrency: CNY\n", 1, 12, "threshold must be a text value"),
        ("currency: CNY\n", 1, 1, "missing required key 'threshold'"),
        ("threshold: 500\ncurrency: cny\n", 2, 11, "currency 'cny' is not an ISO 4217 code"),
        ("threshold: 500\ncurrency: JPY\n", 2, 11, "base currency JPY is not in the built-in currencies"),
        ("threshold: 500\ncurrency: CNY\nexpires_after: soon\n", 3, 16, "expires_after 'soon' is not a duration"),
        ("threshold: 500\ncurrency: CNY\namount_variables: [amount, amount]\n", 3, 28, "'amount' is listed twice"),
        ("threshold: 500\ncurrency: CNY\namount_variables: [1x]\n", 3, 20, "'1x' is not a script variable name"),
        ("threshold: 500\ncurrency: CNY\nrates:\n  CNY: 1\n", 4, 3, "a rate for the base currency CNY"),
        ("threshold: 500\ncurrency: CNY\nrates:\n  USD: 0\n", 4, 8, "the rate of USD must be a number above 0"),
        ("threshold: 500\ncurrency: CNY\nrates:\n  USD: -7.2\n", 4, 8, "the rate of USD must be a number above 0"),
        ("threshold: 500\ncurrency: CNY\nrates:\n  JPY: 0.05\n", 4, 3, "a rate for JPY, which is not one of the currencies"),
        ("threshold: 500\ncurrency: CNY\nrates: 7.2\n", 3, 8, "rates must be a mapping"),
        ("threshold: 500\ncurrency: CNY\ncurrencies:\n  CNY: { after: [元] }\n  USD: { before: [$] }\n  HKD: { before: [$] }\n", 6, 19, "mark '$' written before a number already means USD (line 5)"),
        ("threshold: 500\ncurrency: CNY\ncurrencies:\n  CNY: { after: [元, 元] }\n", 4, 21, "mark '元' is listed twice in CNY after"),
        ("threshold: 500\ncurrency: CNY\ncurrencies:\n  CNY: { after: [5元, 元] }\n", 4, 18, "contains '5', which is read as part of a number"),
        ("threshold: 500\ncurrency: CNY\ncurrencies:\n  CNY: { after: [百元, 元] }\n", 4, 18, "contains '百', which is read as part of a number"),
        ("threshold: 500\ncurrency: CNY\ncurrencies:\n  CNY: { after: [元] }\n  usd: { before: [$] }\n", 5, 3, "'usd' is not an ISO 4217 currency code"),
        ("threshold: 500\ncurrency: CNY\ncurrencies:\n  CNY: { after: [元] }\n  EUR: {}\n", 5, 8, "currency EUR has no marks"),
        ("threshold: 500\ncurrency: CNY\ncurrencies:\n  CNY: { after: [元], symbols: [¥] }\n", 4, 22, "unknown key 'symbols' in currency CNY"),
        ("threshold: 500\ncurrency: CNY\ncurrencies:\n  USD: { before: [$] }\n", 2, 11, "base currency CNY is not in currencies"),
        ("threshold: 500\ncurrency: CNY\nnot_currency: [订单]\n", 3, 16, "'订单' contains no currency mark"),
    ]

    @Test("every problem in approval.yaml is reported at its line and column", arguments: broken)
    func problems(_ file: String, _ line: Int, _ column: Int, _ message: String) throws {
        try expectOneProblem(in: "approval.yaml", file, line: line, column: column, message: message)
    }

    @Test("a duplicate key in approval.yaml is refused with its position")
    func duplicateKey() throws {
        let directory = try Fixtures.miniRuleDirectory(overriding: ["approval.yaml": "threshold: 500\ncurrency: CNY\ncurrency: USD\n"])
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        do {
            _ = try RuleSetLoader(directory: directory.path).load()
            Issue.record("loaded without a problem")
        } catch {
            let problem = try #require(error.problems.first)
            #expect(problem.file.hasSuffix("approval.yaml"))
            #expect(problem.message.contains("duplicate key 'currency'"), "\(problem)")
            #expect(problem.line > 0)
        }
    }
}
