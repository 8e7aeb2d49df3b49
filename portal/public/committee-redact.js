// Drawing redaction rectangles on the committee's attachments page (/committee/{village}/attachments), the portal's one
// script. Without it the page still works: numbered grid cells over each photo. With it, a finger or a mouse drags
// rectangles over the photo (pointer events, so touch works too); they are posted as fractions of the upright image,
// `x,y,w,h;…` (`,p` added for page p > 0 of a PDF), in a hidden field: `rects` beside each page of an attachment already
// uploaded, `rects-{i}` for the i-th chosen file (counted over the page's file inputs in order, as the form posts them).
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  var MIN_SIZE = 0.01; // a tap, not a drag: ignored
  var MAX_FILES = 8;

  function round(v) {
    return Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;
  }

  function place(el, r) {
    el.style.left = r.x * 100 + '%';
    el.style.top = r.y * 100 + '%';
    el.style.width = r.w * 100 + '%';
    el.style.height = r.h * 100 + '%';
  }

  /** Lets the user draw on `frame`; the rectangles go into `field` (a hidden input). Returns an undo function. */
  function drawable(frame, field) {
    var page = Number(frame.getAttribute('data-page') || '0');
    var rects = [];
    var boxes = [];
    var start = null;
    var current = null;

    function write() {
      field.value = rects
        .map(function (r) {
          return [r.x, r.y, r.w, r.h].concat(page > 0 ? [page] : []).join(',');
        })
        .join(';');
      frame.setAttribute('data-count', String(rects.length));
    }

    function at(event) {
      var box = frame.getBoundingClientRect();
      return {
        x: Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)),
        y: Math.min(1, Math.max(0, (event.clientY - box.top) / box.height)),
      };
    }

    function spanOf(a, b) {
      var x = Math.min(a.x, b.x);
      var y = Math.min(a.y, b.y);
      return { x: round(x), y: round(y), w: round(Math.abs(a.x - b.x)), h: round(Math.abs(a.y - b.y)) };
    }

    frame.addEventListener('pointerdown', function (event) {
      if (event.button !== undefined && event.button > 0) return;
      event.preventDefault();
      start = at(event);
      current = document.createElement('span');
      current.className = 'drawn';
      frame.appendChild(current);
      place(current, { x: start.x, y: start.y, w: 0, h: 0 });
      if (frame.setPointerCapture) frame.setPointerCapture(event.pointerId);
    });
    frame.addEventListener('pointermove', function (event) {
      if (!start) return;
      place(current, spanOf(start, at(event)));
    });
    function finish(event) {
      if (!start) return;
      var r = spanOf(start, at(event));
      start = null;
      if (r.w < MIN_SIZE || r.h < MIN_SIZE) {
        frame.removeChild(current);
      } else {
        place(current, r);
        rects.push(r);
        boxes.push(current);
        write();
      }
      current = null;
    }
    frame.addEventListener('pointerup', finish);
    frame.addEventListener('pointercancel', function () {
      if (current) frame.removeChild(current);
      start = null;
      current = null;
    });
    write();
    return function undo() {
      var last = boxes.pop();
      if (last) frame.removeChild(last);
      rects.pop();
      write();
    };
  }

  // Attachments already uploaded: draw more rectangles on each page, then "保存遮盖".
  Array.prototype.forEach.call(document.querySelectorAll('form[data-redact] .page'), function (page) {
    var frame = page.querySelector('[data-frame]');
    var field = page.querySelector('[data-rects]');
    if (!frame || !field) return;
    var undo = drawable(frame, field);
    var button = page.querySelector('[data-undo]');
    if (button) button.addEventListener('click', undo);
  });

  // Photos chosen for upload: a preview of each, to draw on before anything leaves the phone.
  var inputs = document.querySelectorAll('#upload-form input[type=file]');
  var previews = document.getElementById('upload-previews');
  if (inputs.length === 0 || !previews) return;
  var urls = [];
  function chosen() {
    var files = [];
    Array.prototype.forEach.call(inputs, function (input) {
      Array.prototype.forEach.call(input.files || [], function (file) {
        files.push(file);
      });
    });
    return files;
  }
  function rebuild() {
    urls.forEach(function (u) {
      URL.revokeObjectURL(u);
    });
    urls = [];
    previews.textContent = '';
    chosen().forEach(function (file, i) {
      if (i >= MAX_FILES) return;
      var figure = document.createElement('figure');
      var caption = document.createElement('figcaption');
      var isImage = file.type.indexOf('image/') === 0;
      caption.textContent =
        '第 ' +
        (i + 1) +
        ' 个：' +
        file.name +
        (isImage ? '（拖动画出要遮盖的地方）' : '（PDF：上传后在每一页上遮盖）');
      var frame = document.createElement('div');
      frame.className = 'frame';
      frame.setAttribute('data-frame', '');
      frame.setAttribute('data-preview', String(i));
      frame.style.aspectRatio = '4/3';
      var field = document.createElement('input');
      field.type = 'hidden';
      field.name = 'rects-' + i;
      var undoButton = document.createElement('button');
      undoButton.type = 'button';
      undoButton.className = 'secondary';
      undoButton.textContent = '撤销';
      figure.appendChild(caption);
      figure.appendChild(field);
      previews.appendChild(figure);
      if (!isImage) return;
      figure.appendChild(frame);
      figure.appendChild(undoButton);
      var url = URL.createObjectURL(file);
      urls.push(url);
      var img = document.createElement('img');
      img.alt = '要上传的照片 ' + (i + 1) + '：' + file.name;
      img.addEventListener('load', function () {
        frame.style.aspectRatio = img.naturalWidth + '/' + img.naturalHeight;
      });
      img.src = url;
      frame.appendChild(img);
      var undo = drawable(frame, field);
      undoButton.addEventListener('click', undo);
    });
  }
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener('change', rebuild);
  });
})();
