// Error report: appends one line per failed HTTP exchange (status >= 400)
// to reports/errors-<date>.txt in the data directory, using file.*.

file.mkdir("reports");
var report = "reports/errors-" + new Date().toISOString().slice(0, 10) + ".txt";
file.write(report, "# status method path elapsed-ms\n");
var counts = {};

function onItemCaptured(data) {
  if (data.protocol.name !== "http" || data.response.status < 400) {
    return;
  }
  var status = data.response.status;
  counts[status] = (counts[status] || 0) + 1;
  file.append(report, [status, data.request.method, data.request.path,
                       data.elapsedTime].join(" ") + "\n");
  console.log("errors so far:", counts);
}
