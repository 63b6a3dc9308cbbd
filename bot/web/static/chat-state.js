// The conversation the widget keeps in the browser (localStorage): its id (Rasa's sender id), the
// transcript and a pending upload, so a reload or closing the widget loses nothing. It is forgotten
// a day after the last message: on a shared computer the next person does not see it.

const VERSION = 1;
const MAX_ENTRIES = 300;
const KEEP_MS = 24 * 60 * 60 * 1000;

// The id is the conversation's only key on the bot server: 128 random bits (32 hex digits), not
// guessable. Not crypto.randomUUID: a UUID keeps only 122 random bits. No ":" either: ids with one
// belong to other channels' conversations ("slack:U…") and the bot server refuses them.
const ID_PATTERN = /^[0-9a-f]{32}$/;

function newId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ChatState {
  constructor(key, welcome) {
    this.key = key;
    this.welcome = welcome; // the first entry of every conversation
    this.load();
  }

  load() {
    let saved = null;
    try {
      saved = JSON.parse(localStorage.getItem(this.key) || 'null');
    } catch {
      saved = null; // storage switched off or damaged: start afresh
    }
    const fresh = saved && saved.version === VERSION && Date.now() - saved.updated < KEEP_MS;
    // An id of an older widget (a UUID) is replaced: a new conversation rather than a weaker id.
    if (fresh && ID_PATTERN.test(saved.sender) && Array.isArray(saved.transcript)) {
      Object.assign(this, {
        sender: saved.sender,
        transcript: saved.transcript,
        upload: saved.upload || null,
        handoff: saved.handoff || null,
      });
    } else {
      this.restart();
    }
  }

  restart() {
    this.sender = newId();
    this.transcript = [{ ...this.welcome }];
    this.upload = null;
    this.handoff = null;
    this.save();
  }

  add(...entries) {
    this.transcript.push(...entries);
    if (this.transcript.length > MAX_ENTRIES) this.transcript.splice(1, this.transcript.length - MAX_ENTRIES);
    this.save();
  }

  setUpload(upload) {
    this.upload = upload;
    this.save();
  }

  // A request to talk to a person, while it is open: {reference, answers (the URL), after (last answer read)}.
  setHandoff(handoff) {
    this.handoff = handoff;
    this.save();
  }

  save() {
    const saved = { version: VERSION, updated: Date.now(), sender: this.sender, transcript: this.transcript };
    if (this.upload) saved.upload = this.upload;
    if (this.handoff) saved.handoff = this.handoff;
    try {
      localStorage.setItem(this.key, JSON.stringify(saved));
    } catch {
      // Storage full or switched off: the conversation still works, it just won't survive a reload.
    }
  }
}
