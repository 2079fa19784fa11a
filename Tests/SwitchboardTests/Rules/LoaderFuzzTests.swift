@testable import Channels
import Foundation
import Gateway
import Pipeline
import StrictYAML
import TestSupport
import Testing

/// Seeded mutations of valid input: the decoders and loaders either accept or refuse with a clear error;
/// none crashes or hangs.
@Suite("Fuzz: inbound JSON and the rule loader")
struct LoaderFuzzTests {
    /// Flips, deletes, duplicates and inserts bytes (YAML and JSON punctuation among them).
    static func mutate(_ bytes: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        var out = bytes
        let specials = Array("{}[]:,\"'\\-#&*!|>%@`\t\n ".utf8) + [0x00, 0xFF, 0xC3, 0xE4]
        for _ in 0..<Int.random(in: 1...4, using: &random) where !out.isEmpty {
            let index = Int.random(in: 0..<out.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: out[index] = specials.randomElement(using: &random)!
            case 1: out.remove(at: index)
            case 2: out.insert(contentsOf: out[index..<min(out.count, index + 8)], at: index)
            default: out.insert(specials.randomElement(using: &random)!, at: index)
            }
        }
        return out
    }

    @Test("2,000 mutated webhook bodies: each decodes or is refused with 400 and a message")
    func webhookJSON() throws {
        var random = FuzzRandom(state: 7)
        let seeds = [
            #"{"from":"zhang@example.com","subject":"订单","text":"我的订单还没到！","external_id":"x-1"}"#,
            #"{"from":"a@example.com","text":"hello \"quoted\" \\ and \u00e9"}"#,
        ].map { Array($0.utf8) }
        var accepted = 0
        for round in 0..<2000 {
            let body = Data(Self.mutate(seeds[round % seeds.count], &random))
            do {
                _ = try WebhookInboundChannel.decode(body)
                accepted += 1
            } catch {
                #expect([.invalidRequest, .controlCharacter].contains(error.code))
                #expect(!error.message.isEmpty)
            }
        }
        #expect(accepted < 2000)
    }

    @Test("400 mutated rule files: each loads or is refused with problems that name the file")
    func ruleFiles() throws {
        var random = FuzzRandom(state: 11)
        let files = Fixtures.miniRules.keys.filter { $0.hasSuffix(".yaml") }.sorted()
        var refused = 0
        for round in 0..<400 {
            let name = files[round % files.count]
            let mutated = String(decoding: Self.mutate(Array(Fixtures.miniRules[name]!.utf8), &random), as: UTF8.self)
            let directory = try Fixtures.miniRuleDirectory(overriding: [name: mutated])
            defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
            do {
                _ = try RuleDirectory.load(directory.path)
            } catch {
                refused += 1
                #expect(!error.problems.isEmpty)
                #expect(error.problems.allSatisfy { !$0.message.isEmpty && !$0.file.isEmpty })
            }
        }
        #expect(refused > 0)
    }
}
