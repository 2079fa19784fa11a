import Hummingbird

/// The request context of every route: Hummingbird's core storage plus the authenticated caller.
public struct SwitchboardRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``BearerAuthMiddleware`` before any handler runs.
    public var identity: AccessToken?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
