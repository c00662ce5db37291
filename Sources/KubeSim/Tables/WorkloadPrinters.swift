import Foundation
import KubeClient

/// Printers of apps/v1 and batch/v1 kinds.
enum WorkloadPrinters {
    typealias F = PrinterFormatting

    static let containersColumn = TableColumn(name: "Containers", priority: 1, description: "Names of each container in the template.")
    static let imagesColumn = TableColumn(name: "Images", priority: 1, description: "Images referenced by each container in the template.")
    static func selectorColumn(_ description: String) -> TableColumn { TableColumn(name: "Selector", priority: 1, description: description) }

    static let deployment = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Ready", description: "Number of the pod with ready state"),
        TableColumn(name: "Up-to-date", description: "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
        TableColumn(name: "Available", description: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
        .age, containersColumn, imagesColumn,
        selectorColumn("Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
    ], cells: { object, now in
        let spec = object["spec"], status = object["status"]
        let (names, images) = F.containers(spec[path: ["template", "spec"]])
        return [F.name(object), .string("\(status["readyReplicas"].intValue ?? 0)/\(spec["replicas"].intValue ?? 1)"),
                F.int(status["updatedReplicas"]), F.int(status["availableReplicas"]), F.age(object, now: now),
                names, images, .string(F.selector(spec["selector"]))]
    })

    static let replicaSet = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Desired", type: "integer", description: "Replicas is the number of desired replicas."),
        TableColumn(name: "Current", type: "integer", description: "Replicas is the most recently observed number of replicas."),
        TableColumn(name: "Ready", type: "integer", description: "The number of ready replicas for this replica set."),
        .age, containersColumn, imagesColumn,
        selectorColumn("Selector is a label query over pods that should match the replica count."),
    ], cells: { object, now in
        let spec = object["spec"], status = object["status"]
        let (names, images) = F.containers(spec[path: ["template", "spec"]])
        return [F.name(object), .int(Int64(spec["replicas"].intValue ?? 1)), F.int(status["replicas"]), F.int(status["readyReplicas"]),
                F.age(object, now: now), names, images, .string(F.formattedSelector(spec["selector"]))]
    })

    static let statefulSet = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Ready", description: "Number of the pod with ready state"),
        .age, containersColumn, imagesColumn,
    ], cells: { object, now in
        let spec = object["spec"], status = object["status"]
        let (names, images) = F.containers(spec[path: ["template", "spec"]])
        return [F.name(object), .string("\(status["readyReplicas"].intValue ?? 0)/\(spec["replicas"].intValue ?? 1)"),
                F.age(object, now: now), names, images]
    })

    static let daemonSet = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Desired", type: "integer", description: "The total number of nodes that should be running the daemon pod."),
        TableColumn(name: "Current", type: "integer", description: "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
        TableColumn(name: "Ready", type: "integer", description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."),
        TableColumn(name: "Up-to-date", type: "integer", description: "The total number of nodes that are running updated daemon pod"),
        TableColumn(name: "Available", type: "integer", description: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available."),
        TableColumn(name: "Node Selector", description: "NodeSelector is a selector which must be true for the pod to fit on a node."),
        .age, containersColumn, imagesColumn,
        selectorColumn("A label query over pods that are managed by the daemon set."),
    ], cells: { object, now in
        let spec = object["spec"], status = object["status"]
        let (names, images) = F.containers(spec[path: ["template", "spec"]])
        return [F.name(object), F.int(status["desiredNumberScheduled"]), F.int(status["currentNumberScheduled"]),
                F.int(status["numberReady"]), F.int(status["updatedNumberScheduled"]), F.int(status["numberAvailable"]),
                .string(F.labels(spec[path: ["template", "spec", "nodeSelector"]])), F.age(object, now: now),
                names, images, .string(F.formattedSelector(spec["selector"]))]
    })

    static let job = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Status", description: "Status of the job."),
        TableColumn(name: "Completions", description: "The number of pods which reached phase Succeeded."),
        TableColumn(name: "Duration", description: "Time required to complete the job."),
        .age, containersColumn, imagesColumn,
        selectorColumn("A label query over pods that should match the pod count."),
    ], cells: { object, now in
        let spec = object["spec"], status = object["status"]
        let succeeded = status["succeeded"].intValue ?? 0
        let completions: String
        if let wanted = spec["completions"].intValue {
            completions = "\(succeeded)/\(wanted)"
        } else if let parallelism = spec["parallelism"].intValue, parallelism > 1 {
            completions = "\(succeeded)/1 of \(parallelism)"
        } else {
            completions = "\(succeeded)/1"
        }
        var duration = ""
        if let start = RFC3339Time.seconds(status["startTime"].stringValue) {
            let end = RFC3339Time.seconds(status["completionTime"].stringValue) ?? now.timeIntervalSince1970
            duration = HumanDuration.format(end - start)
        }
        let conditions = status["conditions"]
        let state: String
        if F.hasCondition(conditions, type: "Complete") { state = "Complete" }
        else if F.hasCondition(conditions, type: "Failed") { state = "Failed" }
        else if !object[path: ["metadata", "deletionTimestamp"]].isNull { state = "Terminating" }
        else if F.hasCondition(conditions, type: "Suspended") { state = "Suspended" }
        else if F.hasCondition(conditions, type: "FailureTarget") { state = "FailureTarget" }
        else { state = "Running" }
        let (names, images) = F.containers(spec[path: ["template", "spec"]])
        return [F.name(object), .string(state), .string(completions), .string(duration), F.age(object, now: now),
                names, images, .string(F.formattedSelector(spec["selector"]))]
    })

    static let cronJob = TableBuilder(columns: [
        .objectName,
        TableColumn(name: "Schedule", description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        TableColumn(name: "Timezone", description: "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
        TableColumn(name: "Suspend", type: "boolean", description: "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions."),
        TableColumn(name: "Active", type: "integer", description: "A list of pointers to currently running jobs."),
        TableColumn(name: "Last Schedule", description: "Information when was the last time the job was successfully scheduled."),
        .age, containersColumn, imagesColumn,
        selectorColumn("A label query over pods that should match the pod count."),
    ], cells: { object, now in
        let spec = object["spec"], status = object["status"]
        let last = status["lastScheduleTime"].stringValue.map { HumanDuration.since($0, now: now) } ?? "<none>"
        let jobSpec = spec[path: ["jobTemplate", "spec"]]
        let (names, images) = F.containers(jobSpec[path: ["template", "spec"]])
        return [F.name(object), spec["schedule"].isNull ? "" : spec["schedule"],
                .string(F.string(spec["timeZone"], orElse: "<none>")),
                .string(spec["suspend"].boolValue.map { $0 ? "True" : "False" } ?? "<unset>"),
                .int(Int64(status["active"].arrayValue?.count ?? 0)), .string(last), F.age(object, now: now),
                names, images, .string(F.formattedSelector(jobSpec["selector"]))]
    })
}
