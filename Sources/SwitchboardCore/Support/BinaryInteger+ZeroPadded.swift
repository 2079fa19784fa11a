extension BinaryInteger {
    /// The number's digits in `radix`, left-padded with zeros to `width` (`7` → `07`). Without
    /// `String(format:)`, which parses its format each time, for dates and ids written on every message.
    public func zeroPadded(_ width: Int, radix: Int = 10) -> String {
        let digits = String(self, radix: radix)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
