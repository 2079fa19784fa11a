import Conversations
import Foundation
import GRDB
import SQLiteStorage
import SwitchboardCore
import TestSupport

extension StoreFactory {
    /// The embedded store, in a temporary directory of its own.
    static let sqlite = StoreFactory(name: "SQLite") {
        let directory = try Fixtures.temporaryDirectory()
        let store = try SQLiteMessageStore(
            directory: directory.path, clockRules: ContractClockRules(),
            notificationRules: NotificationPlanner(targets: ContractClockRules.notificationTargets, clocks: ContractClockRules()))
        return StoreUnderTest(
            store: store,
            lifecycle: store,
            timers: store,
            reports: store,
            setState: { id, state in
                try await testDatabase(store.path).write { db in
                    try db.execute(sql: "UPDATE conversations SET state = ? WHERE id = ?", arguments: [state.rawValue, id])
                }
            },
            remove: { try FileManager.default.removeItem(at: directory) })
    }
}
