// The demo app: every request builds a fresh CMS client, as in leak story 3, and reads one entry from the CMS
// (a loopback stub leakwatch starts; its URL arrives in CMS_URL). With contentful-sdk-core 6.4.4 every client stays
// alive in the library's module-level Map; with 6.4.5 it is collected.
const http = require('node:http');
const axios = require('axios');
const { createHttpClient } = require('contentful-sdk-core');

const cmsUrl = process.env.CMS_URL;
if (!cmsUrl) throw new Error('CMS_URL is not set: run this app through leakwatch with demo/scenario.yml');

const server = http.createServer(async (request, response) => {
  try {
    const client = createHttpClient(axios, {
      accessToken: 'demo-token',
      space: 'demo',
      baseURL: `${cmsUrl}/spaces/demo/`,
    });
    const entry = await client.get(`entries${request.url}`);
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ ok: true, bytes: JSON.stringify(entry.data).length }));
  } catch (error) {
    response.statusCode = 502;
    response.end(String(error));
  }
});

server.listen(Number(process.env.PORT || 3000), '127.0.0.1');
