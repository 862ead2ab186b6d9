// Starts the Telegram Bot API emulator (telegram-test-api) for the end-to-end test.
// Usage: node emulator.js <port>. Prints "ready" when listening; stops on SIGTERM.
//
// telegram-test-api's getMe answers without `is_bot`, which the Bot API always sends and python-telegram-bot
// requires, so getMe is answered here as Telegram would; every other request goes to the emulator unchanged.
const express = require('express');
const TelegramServer = require('telegram-test-api');

const port = Number(process.argv[2] || 9000);
const emulator = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
const app = express();
app.all('/bot:token/getMe', (_req, res) => res.json({
  ok: true,
  result: { id: 666, is_bot: true, first_name: '信访受理助手', username: 'XinpingPetitionBot' },
}));
app.use(emulator.webServer);
const listener = app.listen(port, '127.0.0.1', () => console.log('ready'));
process.on('SIGTERM', () => listener.close(() => process.exit(0)));
