import Foundation
import SwitchboardCore
import Testing

extension StoreContractTests {
    /// Console sessions: kept by the hash of their cookie, touched, ended, and swept when idle.
    @Suite("Console sessions")
    struct Sessions {
        typealias R = ContractRequests

        static func session(_ hash: String, minute: Double) -> ConsoleSession {
            ConsoleSession(
                cookieHash: hash, tokenDigest: String(repeating: "ab", count: 32), csrfToken: "csrf-\(hash)", openedAt: R.at(minute: minute),
                lastSeenAt: R.at(minute: minute))
        }

        @Test("a session is found by its cookie's hash, touched forward only, ended once; opening one sweeps the idle", arguments: StoreFactory.all)
        func lifecycle(_ factory: StoreFactory) async throws {
            try await StoreFactory.run(factory) { subject in
                let store = subject.store
                #expect(try await store.session(cookieHash: "a") == nil)
                try await store.openSession(Self.session("a", minute: 0), endingIdleBefore: R.at(minute: -60))
                #expect(try await store.session(cookieHash: "a") == Self.session("a", minute: 0))

                try await store.touchSession(cookieHash: "a", at: R.at(minute: 5))
                // A late write from a slower gateway does not move it back.
                try await store.touchSession(cookieHash: "a", at: R.at(minute: 3))
                let touched = try #require(try await store.session(cookieHash: "a"))
                #expect(touched.lastSeenAt == R.at(minute: 5) && touched.openedAt == R.at(minute: 0) && touched.csrfToken == "csrf-a")

                // b opens at minute 30 with sessions idle since minute 10 swept: a (last seen at 5) goes.
                try await store.openSession(Self.session("b", minute: 30), endingIdleBefore: R.at(minute: 10))
                #expect(try await store.session(cookieHash: "a") == nil)
                #expect(try await store.session(cookieHash: "b") != nil)

                try await store.endSession(cookieHash: "b")
                try await store.endSession(cookieHash: "b")
                try await store.touchSession(cookieHash: "b", at: R.at(minute: 31))
                #expect(try await store.session(cookieHash: "b") == nil)
            }
        }
    }
}
