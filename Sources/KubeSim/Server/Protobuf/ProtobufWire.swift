/// Reads the protocol buffers wire format (varints, length-delimited fields, fixed 32/64).
struct ProtobufReader {
    let bytes: [UInt8]
    var index: Int
    let end: Int

    init(_ bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        self.index = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    var atEnd: Bool { index >= end }

    mutating func varint() throws(ProtobufError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < end {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .malformed("varint too long") }
        }
        throw .malformed("truncated varint")
    }

    /// A field's number and wire type.
    mutating func tag() throws(ProtobufError) -> (number: Int, wireType: Int) {
        let key = try varint()
        return (Int(key >> 3), Int(key & 7))
    }

    mutating func lengthDelimited() throws(ProtobufError) -> Range<Int> {
        let length = Int(try varint())
        guard length >= 0, index + length <= end else { throw .malformed("length past the end of the message") }
        defer { index += length }
        return index..<(index + length)
    }

    mutating func skip(wireType: Int) throws(ProtobufError) {
        switch wireType {
        case 0: _ = try varint()
        case 1: index += 8
        case 2: _ = try lengthDelimited()
        case 5: index += 4
        default: throw .malformed("unsupported wire type \(wireType)")
        }
        if index > end { throw .malformed("truncated field") }
    }
}

/// Why a protobuf body could not be read.
enum ProtobufError: Error, CustomStringConvertible {
    case malformed(String)
    case unsupported(String)

    var description: String {
        switch self {
        case .malformed(let why): return "the protobuf body is malformed: \(why)"
        case .unsupported(let why): return why
        }
    }
}
