import ArgumentParser
import Foundation
import Gateway
import Pipeline
import Rules
import SQLiteStorage
import StrictYAML

extension RulesCommand {
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show every message whose urgency, sentiment, queue or route would change under new rules.")

        @Option(help: "The changed rules directory.") var rules: String
        @Option(help: "The rules to compare against.") var against = "Rules"
        @Option(help: "JSON lines of messages ({\"id\"?, \"channel\", \"from\", \"subject\", \"text\"}).") var input: String?
        @Flag(help: "Replay the inbound messages stored in the database.") var fromDb = false
        @Option(help: "Data directory for --from-db.") var data = "./data"

        func validate() throws {
            guard (input == nil) != !fromDb else { throw ValidationError("give exactly one of --input FILE or --from-db") }
        }

        func run() async throws {
            let old = try CommandSupport.orExit { () throws(Problems) in try RuleDirectory.load(against, channels: CommandSupport.channels) }
            let new = try CommandSupport.orExit { () throws(Problems) in try RuleDirectory.load(rules, channels: CommandSupport.channels) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            let items = try await loadItems()
            let summary = RuleReplay.run(items, old: old.rules, new: new.rules) { difference in
                print(String(decoding: (try? encoder.encode(difference)) ?? Data(), as: UTF8.self))
            }
            print(String(decoding: try encoder.encode(["summary": summary]), as: UTF8.self))
        }

        private func loadItems() async throws -> [RuleReplay.Item] {
            if let input {
                guard let text = try? String(contentsOfFile: input, encoding: .utf8) else {
                    CommandSupport.fail("cannot read \(input) as UTF-8")
                    throw ExitCode(1)
                }
                var items: [RuleReplay.Item] = []
                for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    let message: MessageLine
                    do {
                        message = try MessageLine.parse(line)
                    } catch {
                        CommandSupport.fail("\(input):\(index + 1): \(error)")
                        throw ExitCode(1)
                    }
                    items.append(.init(id: message.id ?? "line-\(index + 1)", input: message.input))
                }
                return items
            }
            let store = try SQLiteMessageStore(directory: data)
            var items: [RuleReplay.Item] = []
            var after: String?
            while true {
                let page = try await store.inboundMessages(after: after, limit: 1000)
                guard let last = page.last else { break }
                for message in page {
                    items.append(.init(
                        id: message.id,
                        input: ClassificationInput(
                            channel: message.channel.rawValue, source: message.source, sender: message.sender,
                            subject: message.subject, text: message.text, receivedAt: message.receivedAt,
                            context: message.classification?.context)))
                }
                after = last.id
            }
            return items
        }
    }
}
