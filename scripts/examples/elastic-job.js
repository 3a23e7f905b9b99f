// Elasticsearch job (the example of the helper reference): hooks keep the
// latest numbers in a global object, and a job indexes them into an
// Elastic Cloud deployment every minute, then starts afresh.  The URL is
// left empty, so the Cloud ID names the endpoint; the API key
// authenticates.
//
// Configuration:
//   [scripting.env]
//   ELASTIC_INDEX = wirehook
//   ELASTIC_CLOUD_ID = my-deploy:ZXUtY2VudHJhbC0x…      ; from the Elastic console
//   ELASTIC_API_KEY_FILE = /etc/wirehook/elastic-api-key ; "id:api_key" or its base64
//   ELASTIC_CRON = 0 */1 * * * *                        ; optional, the default shown

var data = {};

function resetData() {
  data = { node: "", items: 0, errors: 0, slowest_ms: 0 };
}
resetData();

function onItemCaptured(item) {
  data.node = item.node.name;
  data.items++;
  if (item.response && item.response.status >= 500)
    data.errors++;
  if (item.elapsedTime > data.slowest_ms)
    data.slowest_ms = item.elapsedTime;
}

function pushDataToElasticsearch() {
  // Print the data
  console.log("Data:", JSON.stringify(data));

  // Push the data
  vendor.elastic(
    "", // URL is ignored for Elastic Cloud
    env.ELASTIC_INDEX,
    data, // Payload
    "", // Username is ignored for Elastic Cloud
    "", // Password is ignored for Elastic Cloud
    env.ELASTIC_CLOUD_ID,
    env.ELASTIC_API_KEY
  );

  // Reset the data
  resetData();
}

// Call the JavaScript function `pushDataToElasticsearch` every minute
jobs.schedule("push-data-to-elastic", env.ELASTIC_CRON || "0 */1 * * * *",
              pushDataToElasticsearch);
