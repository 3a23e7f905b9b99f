// Server errors: marks HTTP 500 responses as failed and prints them.
//
// onItemCaptured sees every item once, as it is captured (or replayed);
// onItemQueried decides the green/red marks of `wirehook query`.

function onItemCaptured(data) {
  if (data.protocol.name === "http" && data.response.status === 500) {
    test.fail(data);
    console.log("HTTP 500:", data.request.method, data.request.path,
                "from", data.src.ip, "in", data.elapsedTime, "ms");
  }
}

function onItemQueried(data) {
  if (data.response.status == 200) {
    return test.pass(data);
  }
  if (data.response.status == 500) {
    return test.fail(data);
  }
}
