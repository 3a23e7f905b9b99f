// Slack alert on HTTP 500 (the example of the helper reference): every
// server error is posted to a Slack incoming webhook as a red attachment
// with the item as its text.
//
// Configuration:
//   [scripting.env]
//   SLACK_WEBHOOK_FILE = /etc/wirehook/slack-webhook   ; the webhook URL
// (a webhook URL is a secret: keep it in a file, not in the INI).

function onItemCaptured(data) {
  if (data.response.status === 500)
    vendor.slack(
      env.SLACK_WEBHOOK,
      "Server-side Error",
      JSON.stringify(data),
      "#ff0000"
    );
}
