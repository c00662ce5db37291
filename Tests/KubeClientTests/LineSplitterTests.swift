import Foundation
import Testing
@testable import KubeClient

@Suite struct LineSplitterTests {
    @Test func splitsLinesWhateverTheChunking() throws {
        let lines = (0..<200).map { #"{"type":"ADDED","object":{"metadata":{"name":"o\#($0)","note":"a\nb"}}}"# }
        let stream = Array(lines.joined(separator: "\n").utf8) + [0x0A]
        for chunkSize in [1, 2, 3, 7, 64, 1000, stream.count] {
            var splitter = LineSplitter()
            var out: [String] = []
            var offset = 0
            while offset < stream.count {
                let end = min(stream.count, offset + chunkSize)
                out += try splitter.feed(stream[offset..<end]).map { String(decoding: $0, as: UTF8.self) }
                offset = end
            }
            #expect(splitter.finish() == nil)
            #expect(out == lines, "chunk size \(chunkSize)")
        }
    }

    @Test func keepsAnUnterminatedLastLineAndCarriageReturns() throws {
        var splitter = LineSplitter()
        #expect(try splitter.feed(Array("a\r\nb".utf8)).map { String(decoding: $0, as: UTF8.self) } == ["a"])
        #expect(splitter.finish().map { String(decoding: $0, as: UTF8.self) } == "b")
    }

    @Test func parsesAFiveMegabyteObjectSplitIntoSmallChunks() throws {
        let big = String(repeating: "y", count: 5 << 20)
        let line = Array(#"{"type":"MODIFIED","object":{"kind":"ConfigMap","metadata":{"name":"big","resourceVersion":"7"},"data":{"k":"\#(big)"}}}"#.utf8) + [0x0A]
        var splitter = LineSplitter()
        var events: [WatchEvent] = []
        var offset = 0
        while offset < line.count {
            let end = min(line.count, offset + 16_384)
            events += try splitter.feed(line[offset..<end]).map { try WatchEvent(line: $0) }
            offset = end
        }
        #expect(events.count == 1)
        #expect(events.first?.object?["data"]["k"].stringValue?.utf8.count == 5 << 20)
        #expect(events.first?.resourceVersion == "7")
    }

    @Test func refusesALineBeyondTheLimit() {
        var splitter = LineSplitter(maximumLineLength: 1024)
        #expect(throws: LineSplitter.LineTooLong.self) { _ = try splitter.feed(Array(repeating: UInt8(ascii: "z"), count: 2048)) }
    }

    @Test func classifiesWatchErrors() throws {
        let gone = try WatchEvent(line: Array(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#.utf8))
        guard case .expired(let status) = gone else { Issue.record("410 not surfaced as .expired: \(gone)"); return }
        #expect(status.message == "too old resource version: 1 (5)")
        let other = try WatchEvent(line: Array(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"boom","reason":"InternalError","code":500}}"#.utf8))
        guard case .error = other else { Issue.record("500 misclassified: \(other)"); return }
        #expect(throws: KubeError.self) { _ = try WatchEvent(line: Array(#"{"type":"WHAT","object":{}}"#.utf8)) }
    }
}
