import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing
@testable import HTTPServer

/// The console's files: all of the folder embedded, nothing else served, each with the console's
/// Content-Security-Policy, and written so hostile text can never become markup or code.
@Suite("Console files")
struct ConsoleAssetsTests {
    static let folder = Fixtures.repositoryRoot.appendingPathComponent("Sources/HTTPServer/Console/Assets")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test("every file of Console/Assets is embedded, byte for byte, and nothing else (scripts/console-assets.py)")
    func embeddedMatchesFolder() throws {
        #expect(Self.files.contains("index.html") && Self.files.contains("app.js") && Self.files.contains("style.css"))
        #expect(ConsoleAssets.embedded.keys.sorted() == Self.files)
        for name in Self.files {
            let bytes = try Data(contentsOf: Self.folder.appendingPathComponent(name))
            let same = ConsoleAssets.embedded[name] == Array(bytes)
            #expect(same, "\(name) differs from its embedded copy: rebuild")
        }
    }

    @Test("only plain file names are served", arguments: ["../Package.swift", "..", ".env", "index.html/..", "a.b.js", "app.js ", "app", "APP.JS", "app.exe", ""])
    func plainNamesOnly(name: String) {
        #expect(ConsoleAssets().file(named: name) == nil)
    }

    @Test("no inline script or style in the page; no module turns text into markup or code")
    func noInlineCodeOrMarkupSinks() throws {
        let page = try String(contentsOf: Self.folder.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(!page.contains("<style") && !page.contains(" style=") && !page.lowercased().contains("javascript:"))
        #expect(page.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "an inline event handler in index.html")
        for script in page.ranges(of: "<script") {
            let tag = page[script.lowerBound...].prefix { $0 != ">" }
            #expect(tag.contains("src="), "an inline script in index.html: \(tag)")
        }
        for name in Self.files where name.hasSuffix(".js") {
            // Comments may name what the code must not do.
            let text = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
                .replacing(/\/\*[\s\S]*?\*\//, with: "").replacing(/\/\/[^\n]*/, with: "")
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "localStorage.setItem(\"token", "setAttribute(\"style"] {
                #expect(!text.contains(sink), "\(name) uses \(sink)")
            }
        }
    }

    @Test("GET /console/ serves the page with a strict policy; a module is JavaScript; /console redirects; an unknown file is 404")
    func served() async throws {
        try await GatewayHarness(replyURL: "http://127.0.0.1:9/unused").run { (client, _) async throws in
            let page = try await client.send(.get, "/console/")
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[.contentSecurityPolicy])
            for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"] {
                #expect(policy.contains(directive))
            }
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(page.headers[.xContentTypeOptions] == "nosniff")

            let module = try await client.send(.get, "/console/app.js")
            #expect(module.status == .ok && module.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await client.send(.get, "/console/style.css").headers[.contentType] == "text/css; charset=utf-8")
            let bare = try await client.send(.get, "/console")
            #expect(bare.status == .movedPermanently && bare.headers[.location] == "/console/")
            #expect(try await client.send(.get, "/console/missing.js").status == .notFound)
            #expect(try await client.send(.get, "/console/..%2FPackage.swift").status == .notFound)
            // Data answers are never cached and never framed.
            let data = try await client.send(.get, "/v1/queues", token: GatewayHarness.agentToken)
            #expect(data.headers[.cacheControl] == "no-store")
            #expect(data.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
        }
    }
}
