extension UInt8 {
    /// An ASCII letter, digit or `_`: what an English term's word boundary is made of, for keywords in
    /// the matcher and for negators and intensifiers alike.
    var isASCIIWordCharacter: Bool {
        self &- 0x61 < 26 || self &- 0x41 < 26 || self &- 0x30 < 10 || self == 0x5F
    }
}
