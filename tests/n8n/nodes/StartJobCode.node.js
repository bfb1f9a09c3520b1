// "Start Job (code)": a test-only custom node whose execute() is the seed's per-item loop,
// calling n8n's own `this.startJob(jobType, settings, i)` (n8n's Code node sandbox has no
// `startJob`; a custom node's context does). Loaded as `CUSTOM.startJobCode`.
'use strict'

class StartJobCode {
  constructor() {
    this.description = {
      displayName: 'Start Job (code)',
      name: 'startJobCode',
      group: ['transform'],
      version: 1,
      description: "The seed's per-item loop over this.startJob",
      defaults: { name: 'Start Job (code)' },
      inputs: ['main'],
      outputs: ['main'],
      properties: [],
    }
  }

  async execute() {
    const items = this.getInputData()
    for (let i = 0; i < items.length; i++) {
      const { jobType, settings } = items[i].json
      const r = await this.startJob(jobType, settings, i)
      if (r.ok) items[i].json.result = r.result
      else items[i].json.error = r.error
    }
    return [items]
  }
}

module.exports = { StartJobCode }
