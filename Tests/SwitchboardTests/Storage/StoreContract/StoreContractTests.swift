import Testing

/// What every store must do, whatever keeps the data: each test runs against every store in
/// ``StoreFactory/all``, through the role protocols only (``IntakeStore``, ``OutboxStore``,
/// ``ConversationQueries``, ``StoreMaintenance``). What is particular to one store (its files, its schema,
/// its checkpoints) is tested beside that store instead.
@Suite("Store contract")
struct StoreContractTests {}
