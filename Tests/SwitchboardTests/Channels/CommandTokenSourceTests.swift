@testable import Channels
import Foundation
import TestSupport
import Testing

/// `token_command`: a real `/bin/sh` runs the operator's command; its output is the token, cached for the
/// configured lifetime (or the JSON answer's `expires_in`) and run again once invalidated.
@Suite("Token command")
struct CommandTokenSourceTests {
    @Test("the printed token is cached, and run again after the server refused it")
    func cachesAndInvalidates() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let count = directory.appendingPathComponent("runs").path
        // A pipeline, as operators write them: each run counts itself and prints token-<n>.
        let source = CommandTokenSource(command: .init(command: "echo run >> '\(count)'; printf 'token-%s\\n' $(wc -l < '\(count)' | tr -d ' ')"))
        #expect(try await source.accessToken() == "token-1")
        #expect(try await source.accessToken() == "token-1")
        await source.invalidate("token-1")
        #expect(try await source.accessToken() == "token-2")
        // Invalidating a token that is no longer the current one keeps the current one.
        await source.invalidate("token-1")
        #expect(try await source.accessToken() == "token-2")
    }

    @Test("a JSON answer gives the token and its lifetime")
    func jsonAnswer() async throws {
        let issued = try CommandTokenSource.token(from: Data(#" {"access_token": "abc.def", "expires_in": 120} "#.utf8), lifetime: .seconds(300))
        #expect(issued.token == "abc.def")
        #expect(issued.lifetime == .seconds(120))
        let plain = try CommandTokenSource.token(from: Data("ya29.token\n".utf8), lifetime: .seconds(300))
        #expect(plain.token == "ya29.token" && plain.lifetime == .seconds(300))
    }

    @Test("a failing, silent, chatty or hanging command is an error with a code, and never shows its output")
    func failures() async throws {
        func failure(_ command: String, timeout: Duration = .seconds(30)) async -> MailAuthError? {
            do {
                _ = try await CommandTokenSource(command: .init(command: command, timeout: timeout)).accessToken()
                return nil
            } catch {
                return error
            }
        }
        let exit = await failure("echo secret-output; exit 3")
        #expect(exit?.code == .tokenCommandFailed)
        #expect(exit?.description.contains("status 3") == true)
        #expect(exit?.description.contains("secret-output") == false)
        #expect(await failure("true")?.code == .invalidTokenResponse)
        let words = await failure("echo two words")
        #expect(words?.code == .invalidTokenResponse)
        #expect(words?.description.contains("two words") == false)
        // The shell's child holds the output open too: the whole group is killed at the timeout.
        #expect(await failure("sleep 30; echo late", timeout: .milliseconds(300))?.code == .tokenCommandFailed)
    }

    @Test("a token response's expires_in is a number or a number as text; a refresh is replaced a tenth of its lifetime (at most a minute) early")
    func tokenResponses() {
        #expect(RefreshTokenSource.issuedToken(["access_token": "a", "expires_in": 3599], defaultLifetime: .seconds(300))?.lifetime == .seconds(3599))
        #expect(RefreshTokenSource.issuedToken(["access_token": "a", "expires_in": "3600"], defaultLifetime: .seconds(300))?.lifetime == .seconds(3600))
        #expect(RefreshTokenSource.issuedToken(["access_token": "a"], defaultLifetime: .seconds(300))?.lifetime == .seconds(300))
        #expect(RefreshTokenSource.issuedToken(["access_token": ""], defaultLifetime: .seconds(300)) == nil)
        #expect(RefreshTokenSource.issuedToken(["access_token": "a b"], defaultLifetime: .seconds(300)) == nil)
        #expect(AccessTokenCache.margin(.seconds(3600)) == .seconds(60))
        #expect(AccessTokenCache.margin(.seconds(300)) == .seconds(30))
        #expect(RefreshTokenSource.formEncoded([("scope", "https://mail.google.com/ offline_access"), ("a&b", "=")])
            == "scope=https%3A%2F%2Fmail.google.com%2F%20offline_access&a%26b=%3D")
    }
}
