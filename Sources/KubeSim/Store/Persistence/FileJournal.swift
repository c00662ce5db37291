import Foundation
import KubeClient
import NIOConcurrencyHelpers

/// Persists the store in a data directory as a snapshot plus an append-only log.
///
/// Every committed change is appended to `changes.log` as one JSON line
/// (`{"rv":N,"op":"put"|"delete","group":…,"resource":…,"namespace":…,"name":…,"object":{…}}`).
/// On start the snapshot is loaded and the log replayed; then a fresh snapshot is written
/// and the log truncated, and again whenever the log grows past `compactAfter` lines.
public final class FileJournal: StoreJournal {
    private struct State {
        var log: FileHandle?
        var linesSinceSnapshot = 0
        var failed: String?
    }

    private let directory: URL
    private let state = NIOLockedValueBox(State())
    let compactAfter: Int

    var snapshotURL: URL { directory.appendingPathComponent("snapshot.json") }
    var logURL: URL { directory.appendingPathComponent("changes.log") }
    /// The log being folded into a snapshot; replayed too if a crash interrupted that.
    var previousLogURL: URL { directory.appendingPathComponent("changes.log.previous") }

    public init(directory: URL, compactAfter: Int = 50_000) {
        self.directory = directory
        self.compactAfter = compactAfter
    }

    /// Reads the snapshot and replays the log: every object with its resource, and the revision reached.
    func load() throws -> (revision: UInt64, objects: [(GroupResource, JSONValue)]) {
        var objects: [ObjectRef: JSONValue] = [:]
        var revision: UInt64 = 1
        if let data = try? Data(contentsOf: snapshotURL) {
            let snapshot = try JSONValue(parsing: Array(data))
            revision = UInt64(snapshot["revision"].intValue ?? 1)
            for entry in snapshot["objects"].arrayValue ?? [] {
                guard let ref = Self.ref(entry) else { continue }
                objects[ref] = entry["object"]
            }
        }
        let snapshotRevision = revision
        for url in [previousLogURL, logURL] {
            guard let data = try? Data(contentsOf: url) else { continue }
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                // A torn last line (a crash mid-write) is skipped; everything before it counts.
                guard let entry = try? JSONValue(parsing: line), let ref = Self.ref(entry),
                      let rv = entry["rv"].intValue, UInt64(rv) > snapshotRevision else { continue }
                revision = max(revision, UInt64(rv))
                if entry["op"].stringValue == "delete" { objects.removeValue(forKey: ref) } else { objects[ref] = entry["object"] }
            }
        }
        return (revision, objects.map { ($0.key.resource, $0.value) })
    }

    private static func ref(_ entry: JSONValue) -> ObjectRef? {
        guard let resource = entry["resource"].stringValue, let name = entry["name"].stringValue else { return nil }
        return ObjectRef(resource: GroupResource(group: entry["group"].stringValue ?? "", resource: resource),
                         key: StoreKey(namespace: entry["namespace"].stringValue ?? "", name: name))
    }

    /// Writes a snapshot of `store` and starts a new, empty log.
    func writeSnapshot(of store: ObjectStore) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Under the store's lock: take the objects and switch to a fresh log, so every
        // change is either in the snapshot or in the new log.
        let (revision, objects) = try store.snapshot {
            try state.withLockedValue { s in
                try s.log?.close()
                if FileManager.default.fileExists(atPath: logURL.path) {
                    try? FileManager.default.removeItem(at: previousLogURL)
                    try FileManager.default.moveItem(at: logURL, to: previousLogURL)
                }
                FileManager.default.createFile(atPath: logURL.path, contents: nil)
                s.log = try FileHandle(forWritingTo: logURL)
                s.linesSinceSnapshot = 0
            }
        }
        var out: [UInt8] = Array("{\"revision\":\(revision),\"objects\":[".utf8)
        for (i, (resource, object)) in objects.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: Self.header(resource: resource, key: object.key))
            out.append(contentsOf: "\"object\":".utf8)
            out.append(contentsOf: object.bytes)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}\n".utf8)
        try Data(out).write(to: snapshotURL, options: .atomic)
        try? FileManager.default.removeItem(at: previousLogURL)
    }

    private static func header(resource: GroupResource, key: StoreKey) -> [UInt8] {
        let fields: JSONValue = ["group": .string(resource.group), "resource": .string(resource.resource),
                                 "namespace": .string(key.namespace), "name": .string(key.name)]
        var bytes = fields.serializedBytes()
        bytes.removeLast()  // drop "}" to continue the object
        bytes.append(UInt8(ascii: ","))
        return bytes
    }

    public func record(_ event: StoreEvent) {
        var line = Self.header(resource: event.resource, key: event.object.key)
        line.append(contentsOf: "\"rv\":\(event.resourceVersion),\"op\":\"\(event.type == .deleted ? "delete" : "put")\",\"object\":".utf8)
        line.append(contentsOf: event.object.bytes)
        line.append(contentsOf: "}\n".utf8)
        state.withLockedValue { s in
            guard let log = s.log else { return }
            do {
                try log.write(contentsOf: line)
                s.linesSinceSnapshot += 1
            } catch {
                s.failed = "\(error)"
            }
        }
    }

    /// Whether the log has grown enough to be folded into a new snapshot.
    var needsCompaction: Bool { state.withLockedValue { $0.linesSinceSnapshot >= compactAfter } }

    /// The first write error, if persisting failed (the server keeps serving from memory).
    var failure: String? { state.withLockedValue { $0.failed } }

    func close() {
        state.withLockedValue { s in
            try? s.log?.synchronize()
            try? s.log?.close()
            s.log = nil
        }
    }
}
