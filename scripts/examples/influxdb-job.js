// InfluxDB job (the example of the helper reference): hooks count the
// traffic into a global object, and a job pushes it to an InfluxDB v2
// bucket every minute, then starts counting afresh.  Nested objects
// become dotted field names ("http.5xx").
//
// Configuration:
//   [scripting.env]
//   INFLUXDB_URL = http://influxdb.local:8086
//   INFLUXDB_TOKEN_FILE = /etc/wirehook/influxdb-token
//   INFLUXDB_ORGANIZATION = my-org
//   INFLUXDB_BUCKET = wirehook
//   INFLUXDB_CRON = 0 */1 * * * *     ; optional, the default shown

var data = {};

function resetData() {
  data = { items: 0, http: { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0 }, dns: 0 };
}
resetData();

function onItemCaptured(item) {
  data.items++;
  if (item.protocol.name === "dns") {
    data.dns++;
  } else if (item.response && item.response.status >= 200) {
    var cls = Math.floor(item.response.status / 100) + "xx";
    if (cls in data.http)
      data.http[cls]++;
  }
}

function pushDataToInfluxDB() {
  // Print the data
  console.log("Data:", JSON.stringify(data));

  // Push the data
  vendor.influxdb(
    env.INFLUXDB_URL,
    env.INFLUXDB_TOKEN,
    env.INFLUXDB_ORGANIZATION,
    env.INFLUXDB_BUCKET,
    "Example Measurement", // Measurement
    data, // Payload
    { "example": "tag" }
  );

  // Reset the data
  resetData();
}

// Call the JavaScript function `pushDataToInfluxDB` every minute
jobs.schedule("push-data-to-influxdb", env.INFLUXDB_CRON || "0 */1 * * * *",
              pushDataToInfluxDB);
