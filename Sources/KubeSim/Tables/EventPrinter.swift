import Foundation
import KubeClient

/// LAST SEEN TYPE REASON OBJECT MESSAGE (core/v1 and events.k8s.io/v1 Events).
enum EventPrinter {
    static let columns: [TableColumn] = [
        TableColumn(name: "Last Seen", description: "The time at which the most recent occurrence of this event was recorded."),
        TableColumn(name: "Type", description: "Type of this event (Normal, Warning), new types could be added in the future"),
        TableColumn(name: "Reason", description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        TableColumn(name: "Object", description: "The object that this event is about."),
        TableColumn(name: "Subobject", priority: 1, description: "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement."),
        TableColumn(name: "Source", priority: 1, description: "The component reporting this event. Should be a short machine understandable string."),
        TableColumn(name: "Message", description: "A human-readable description of the status of this operation."),
        TableColumn(name: "First Seen", priority: 1, description: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
        TableColumn(name: "Count", priority: 1, description: "The number of times this event has occurred."),
        TableColumn(name: "Name", format: "name", priority: 1, description: TableColumn.nameDescription),
    ]

    static let coreV1 = TableBuilder(columns: columns, cells: { cells($0, now: $1) })
    static let eventsV1 = TableBuilder(columns: columns, cells: { cells(asCoreEvent($0), now: $1) })

    /// An events.k8s.io/v1 Event in core/v1 field names.
    static func asCoreEvent(_ event: JSONValue) -> JSONValue {
        var core = event
        core["involvedObject"] = event["regarding"]
        core["message"] = event["note"]
        core["source"] = event["deprecatedSource"]
        core["firstTimestamp"] = event["deprecatedFirstTimestamp"]
        core["lastTimestamp"] = event["deprecatedLastTimestamp"]
        core["count"] = event["deprecatedCount"]
        return core
    }

    static func cells(_ event: JSONValue, now: Date) -> [JSONValue] {
        let first = event["firstTimestamp"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
            .map { HumanDuration.since($0, now: now) }
            ?? HumanDuration.since(event["eventTime"].stringValue, now: now)
        var last = event["lastTimestamp"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
            .map { HumanDuration.since($0, now: now) } ?? first
        var count = event["count"].intValue ?? 0
        if !event["series"].isNull {
            last = HumanDuration.since(event[path: ["series", "lastObservedTime"]].stringValue, now: now)
            count = event[path: ["series", "count"]].intValue ?? 0
        } else if count == 0 {
            count = 1
        }
        let involved = event["involvedObject"]
        let kind = (involved["kind"].stringValue ?? "").lowercased()
        let name = involved["name"].stringValue ?? ""
        let component = PrinterFormatting.string(event[path: ["source", "component"]], orElse: event["reportingController"].stringValue ?? "")
        let host = PrinterFormatting.string(event[path: ["source", "host"]], orElse: event["reportingInstance"].stringValue ?? "")
        let message = (event["message"].stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return [.string(last), .string(event["type"].stringValue ?? ""), .string(event["reason"].stringValue ?? ""),
                .string(name.isEmpty ? kind : "\(kind)/\(name)"), .string(involved["fieldPath"].stringValue ?? ""),
                .string(host.isEmpty ? component : "\(component), \(host)"), .string(message), .string(first),
                .int(Int64(count)), PrinterFormatting.name(event)]
    }
}

/// The printers of built-in kinds, by `group/Kind` (core group empty: `/Pod`).
enum BuiltinPrinters {
    static let all: [String: TableBuilder] = [
        "/Pod": PodPrinter.printer,
        "/Service": CorePrinters.service,
        "/Namespace": CorePrinters.namespace,
        "/Node": CorePrinters.node,
        "/ConfigMap": CorePrinters.configMap,
        "/Secret": CorePrinters.secret,
        "/ServiceAccount": CorePrinters.serviceAccount,
        "/Endpoints": CorePrinters.endpoints,
        "/Event": EventPrinter.coreV1,
        "/ReplicationController": CorePrinters.replicationController,
        "/PersistentVolumeClaim": CorePrinters.persistentVolumeClaim,
        "events.k8s.io/Event": EventPrinter.eventsV1,
        "coordination.k8s.io/Lease": CorePrinters.lease,
        "apiregistration.k8s.io/APIService": CorePrinters.apiService,
        "networking.k8s.io/Ingress": CorePrinters.ingress,
        "apps/Deployment": WorkloadPrinters.deployment,
        "apps/ReplicaSet": WorkloadPrinters.replicaSet,
        "apps/StatefulSet": WorkloadPrinters.statefulSet,
        "apps/DaemonSet": WorkloadPrinters.daemonSet,
        "batch/Job": WorkloadPrinters.job,
        "batch/CronJob": WorkloadPrinters.cronJob,
    ]
}
