// Console and environment: the examples of the helper reference.
//
// [scripting.env] keys are in `env`, and also globals when they are valid
// identifiers.  Values are secrets: print them only while debugging.

console.log("env keys:", Object.keys(env).join(", ") || "(none)");

function onItemCaptured(data) {
  if (data.protocol.name === "dns") {
    console.log("DNS", data.request.questions[0].name, "->",
                data.response.answers.map(function (a) { return a.ip || a.cname; }).join(" "));
  } else if (data.response.status >= 500) {
    console.error("Something is not right and the value is:", data.response.status);
  }
}
