// Talking to the servers: Rasa's REST channel for messages, the web service for in-place uploads.

const BOT_TIMEOUT_MS = 30000;
const UPLOAD_TIMEOUT_MS = 300000;

export class BotUnreachable extends Error {}
export class MessageRefused extends Error {} // the bot server said no to this message (HTTP 4xx)

// Sends one learner message; resolves to Rasa's list of replies ({text, buttons, custom}).
export async function askBot(botUrl, sender, message, metadata) {
  const body = { sender, message };
  if (metadata) body.metadata = metadata;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), BOT_TIMEOUT_MS);
  try {
    const response = await fetch(`${botUrl}/webhooks/rest/webhook`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      signal: controller.signal,
    });
    if (response.status >= 400 && response.status < 500) throw new MessageRefused(`bot server: ${response.status}`);
    if (!response.ok) throw new BotUnreachable(`bot server answered ${response.status}`);
    const replies = await response.json();
    if (!Array.isArray(replies)) throw new BotUnreachable('unexpected answer from the bot server');
    return replies;
  } catch (error) {
    if (error instanceof BotUnreachable || error instanceof MessageRefused) throw error;
    throw new BotUnreachable(error.message); // connection refused, timeout, CORS: the server is out of reach
  } finally {
    clearTimeout(timer);
  }
}

// POSTs one file to a one-time upload link, reporting progress (0..1). Resolves to the service's
// answer {ok, message, document?}; a network failure becomes {ok: false, message} too.
export function uploadFile(url, file, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json'); // the service answers JSON instead of a page
    xhr.responseType = 'json';
    xhr.timeout = UPLOAD_TIMEOUT_MS;
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const answer = xhr.response && typeof xhr.response === 'object' ? xhr.response : {};
      const ok = xhr.status >= 200 && xhr.status < 300 && answer.ok !== false;
      const fallback = ok ? 'Your file was received.' : `The upload was refused (error ${xhr.status}).`;
      resolve({ ok, message: answer.message || fallback, document: answer.document });
    };
    const failed = () =>
      resolve({ ok: false, message: "The upload didn't go through: please check your connection and try again." });
    xhr.onerror = failed;
    xhr.ontimeout = failed;
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}
