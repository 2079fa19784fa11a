import StrictYAML
import Testing

@Suite("Durations")
struct DurationTextTests {
    @Test("durations are positive unless the setting allows zero, which may be written with or without a unit")
    func zero() {
        #expect(DurationText.seconds("1h30m") == 5400)
        #expect(DurationText.seconds("250ms") == 0.25)
        for zero in ["0", "0ms", "0s", "0m"] {
            #expect(DurationText.seconds(zero) == nil, "\(zero)")
            #expect(DurationText.seconds(zero, allowingZero: true) == 0, "\(zero)")
        }
        for bad in ["", "ms", "-1s", "1x", "s"] {
            #expect(DurationText.seconds(bad, allowingZero: true) == nil, "\(bad)")
        }
    }
}
