// Slack bot alert on HTTP 500 (the example of the helper reference): a
// message to a channel with the request's details as fields, the PCAP of
// its TCP stream and the item as a JSON file attached.
//
// Configuration:
//   [scripting.env]
//   SLACK_AUTH_TOKEN_FILE = /etc/wirehook/slack-token  ; a bot token (xoxb-…)
//   SLACK_CHANNEL_ID = C0123456
// The bot needs the chat:write and files:write scopes and must be a
// member of the channel.

function onItemCaptured(data) {
  // Check if it's an HTTP request and the response status is 500
  if (data.protocol.name === "http" && data.response.status === 500) {
    var files = {};

    // The PCAP file of the TCP stream (data.stream is its file name)
    files[data.stream] = pcap.path(data.stream);

    // Dump the `data` argument into a temporary JSON file
    var dataPath = file.temp("data", "", "json");
    file.write(dataPath, JSON.stringify(data, null, 2));
    files["data.json"] = dataPath;

    try {
      // Send a detailed Slack message with 2 attached files
      vendor.slackBot(
        SLACK_AUTH_TOKEN,
        SLACK_CHANNEL_ID,
        "Server-side Error in Kubernetes Cluster", // Pretext
        "An HTTP request resulted with " + data.response.status + " status code:", // Text
        "#ff0000", // Color
        {
          "Service": data.dst.name,
          "Namespace": data.namespace,
          "Node": data.node.name,
          "HTTP method": data.request.method,
          "HTTP path": data.request.path
        },
        files
      );
    } finally {
      // Delete the temporary file, also when the message failed
      file.delete(dataPath);
    }
  }
}
