// Starts the Telegram Bot API emulator (telegram-test-api) for the end-to-end test.
// Usage: node emulator.js <port>. Prints "ready" when listening; stops on SIGTERM.
const TelegramServer = require('telegram-test-api');

const port = Number(process.argv[2] || 9000);
const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
server.start().then(() => console.log('ready'));
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
