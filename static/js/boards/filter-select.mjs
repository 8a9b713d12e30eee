// Long multi-selects (contacts involved) get a text box that narrows the list as you type, so picking
// two people from hundreds takes seconds on a phone. Chosen options stay visible.
for (const select of document.querySelectorAll('select[multiple][data-filterable="true"]')) {
  const box = document.createElement('input');
  box.type = 'search';
  box.className = 'govuk-input boards-filter-box';
  box.id = `${select.id}-filter`;
  box.setAttribute('aria-controls', select.id);
  box.setAttribute('autocomplete', 'off');
  const label = document.createElement('label');
  label.className = 'govuk-label govuk-body-s';
  label.htmlFor = box.id;
  label.textContent = 'Type part of a name to narrow the list';
  select.before(label, box);
  box.addEventListener('input', () => {
    const needle = box.value.trim().toLowerCase();
    for (const option of select.options) {
      option.hidden = needle !== '' && !option.selected && !option.text.toLowerCase().includes(needle);
    }
  });
}
