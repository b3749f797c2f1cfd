document.querySelector('#app')!.textContent = 'Cairn'
